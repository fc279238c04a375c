package io.github.smtpscert.internal.tls;

import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.smtpscert.internal.ConfigurationProblem;

/**
 * The identities an endpoint can present: its default one (possibly {@link Identity#ANONYMOUS}, possibly a set the
 * handshake chooses from) and, when the identity came from a key store, every key entry of that store by alias (for
 * per-exchange selection).
 */
public final class Identities {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Identities.class);
    /** How many aliases an "unknown alias" error names: a store can hold hundreds. */
    private static final int SUGGESTIONS = 3;

    private final Identity defaultIdentity;
    private final KeyStore keyStore;
    private final char[] keyPassword;
    private final String storeOption;
    private final boolean validateDates;
    private final List<String> leftOut = new ArrayList<>();
    private final Map<String, Identity> byAlias = new ConcurrentHashMap<>();

    Identities(Identity defaultIdentity, KeyStore keyStore, char[] keyPassword, String storeOption,
               boolean validateDates) {
        this.defaultIdentity = defaultIdentity;
        this.keyStore = keyStore;
        this.keyPassword = keyPassword;
        this.storeOption = storeOption;
        this.validateDates = validateDates;
    }

    static Identities of(Identity identity, boolean validateDates) {
        List<String> leftOut = new ArrayList<>();
        Identities identities = new Identities(validateDates ? withinDates(identity, "client certificate", leftOut)
                : identity, null, null, null, validateDates);
        identities.leftOut.addAll(leftOut);
        return identities;
    }

    /** Loads what to present from a store: the keyAlias entry if given, else every key entry, in alias order. */
    static Identities fromKeyStore(KeyStore store, String option, String keyAlias, char[] keyPassword,
                                   boolean validateDates) {
        Identities identities = new Identities(Identity.ANONYMOUS, store, keyPassword, option, false);
        Identity identity;
        if (keyAlias != null) {
            identity = identities.entry(keyAlias, "keyAlias");
        } else {
            List<Identity> all = new ArrayList<>();
            for (String alias : keyAliases(store, option)) {
                all.add(identities.entry(alias, option + " entry"));
            }
            identity = Identity.anyOf(all);
        }
        List<String> leftOut = new ArrayList<>();
        Identities result = new Identities(validateDates ? withinDates(identity, option, leftOut) : identity, store,
                keyPassword, option, validateDates);
        result.leftOut.addAll(leftOut);
        return result;
    }

    /**
     * Logs one WARN naming the certificates of a set that were left out for their validity dates, if any. Called when
     * this material is taken into use, not when it is only built: a reload check builds registry beans every time.
     */
    public void warnLeftOut(String address) {
        if (!leftOut.isEmpty()) {
            LOG.warn("smtps-cert:{}: left out {} client certificate(s) outside their validity dates: {}", address,
                    leftOut.size(), String.join("; ", leftOut));
        }
    }

    /**
     * What a reload compares: the default identity's key, and with a key store also every key entry's alias and
     * certificate, since a header may pick any of them.
     */
    public String key() {
        if (keyStore == null) {
            return defaultIdentity.key();
        }
        StringBuilder all = new StringBuilder(defaultIdentity.key());
        try {
            for (String alias : aliases(keyStore)) {
                Certificate certificate = keyStore.isKeyEntry(alias) ? keyStore.getCertificate(alias) : null;
                if (certificate instanceof X509Certificate x509) {
                    all.append(',').append(alias).append('=').append(Identity.sha256(x509));
                }
            }
        } catch (KeyStoreException e) {
            throw new IllegalStateException("the key store cannot be listed: " + e.getMessage(), e);
        }
        return Identity.sha256(all.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The identity to present when the exchange does not pick one. */
    public Identity defaultIdentity() {
        return defaultIdentity;
    }

    /** The key entry with this alias of the configured key store. */
    public Identity forAlias(String alias, String source) {
        if (keyStore == null) {
            throw ConfigurationProblem.of(source, alias, "no keyStore is configured to pick the alias from",
                    "Fix: configure keyStore (or clientCertificates=#aKeyStore) on the endpoint");
        }
        return byAlias.computeIfAbsent(alias, a -> entry(a, source));
    }

    private Identity entry(String alias, String source) {
        try {
            if (!keyStore.containsAlias(alias)) {
                List<String> all = aliases(keyStore);
                if (all.size() <= SUGGESTIONS) {
                    throw ConfigurationProblem.of(source, alias, "no such entry in " + storeOption
                            + " (its aliases: " + String.join(", ", all) + ")", "Fix: use one of those aliases");
                }
                throw ConfigurationProblem.of(source, alias, "no such entry in " + storeOption + " (it has "
                        + all.size() + " aliases; the closest: " + String.join(", ", closest(all, alias)) + ")",
                        "Fix: use one of the store's aliases (keytool -list shows them all)");
            }
            if (!keyStore.isKeyEntry(alias)) {
                throw ConfigurationProblem.of(source, alias, "the entry in " + storeOption
                        + " is a trusted certificate, not a private key entry",
                        "Fix: use the alias of an entry that holds a private key and certificate chain");
            }
            PrivateKey key = (PrivateKey) keyStore.getKey(alias, keyPassword);
            Certificate[] chain = keyStore.getCertificateChain(alias);
            X509Certificate[] x509 = new X509Certificate[chain.length];
            for (int i = 0; i < chain.length; i++) {
                x509[i] = (X509Certificate) chain[i];
            }
            Identity identity = Identity.of(key, x509);
            if (validateDates) {
                checkDates(identity, storeOption + " entry '" + alias + "'");
            }
            return identity;
        } catch (IllegalArgumentException e) {
            throw ConfigurationProblem.of(source, alias, "the key entry in " + storeOption + " is unusable: "
                    + e.getMessage(), "Fix: re-import the key with its chain, client certificate first", e);
        } catch (UnrecoverableKeyException e) {
            throw ConfigurationProblem.of("keyPassword", null,
                    "wrong password for key entry '" + alias + "' in " + storeOption,
                    "Fix: set keyPassword to the entry's password (it defaults to keyStorePassword)", e);
        } catch (java.security.GeneralSecurityException e) {
            throw ConfigurationProblem.of(source, alias, "cannot read the key entry (" + e.getMessage() + ")",
                    "Fix: check " + storeOption, e);
        }
    }

    /**
     * The identity without its members that are out of their validity dates (their names and dates are added to
     * leftOut); fails when every member is.
     */
    static Identity withinDates(Identity identity, String what, List<String> leftOut) {
        if (identity.isAnonymous()) {
            return identity;
        }
        List<Identity> valid = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        ConfigurationProblem first = null;
        for (Identity member : identity.members()) {
            ConfigurationProblem problem = datesProblem(member, what);
            if (problem == null) {
                valid.add(member);
            } else {
                first = first == null ? problem : first;
                dropped.add(member.name() + " (" + what + ", valid " + member.certificate().getNotBefore().toInstant()
                            + " to " + member.certificate().getNotAfter().toInstant() + ")");
            }
        }
        if (valid.isEmpty()) {
            throw first;
        }
        leftOut.addAll(dropped);
        return valid.size() == identity.members().size() ? identity : Identity.anyOf(valid);
    }

    static void checkDates(Identity identity, String what) {
        ConfigurationProblem problem = datesProblem(identity, what);
        if (problem != null) {
            throw problem;
        }
    }

    private static ConfigurationProblem datesProblem(Identity identity, String what) {
        X509Certificate certificate = identity.certificate();
        try {
            certificate.checkValidity(new Date());
            return null;
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            String problem = (e instanceof CertificateExpiredException ? "has expired" : "is not yet valid")
                             + ": " + what + " " + identity.name() + " is valid from "
                             + certificate.getNotBefore().toInstant() + " to " + certificate.getNotAfter().toInstant();
            return ConfigurationProblem.of("validateCertificateDates", null, "the client certificate " + problem,
                    "Fix: renew the certificate (or check the clock); validateCertificateDates=false skips this check");
        }
    }

    /** Every key entry's alias, in alias order (case-insensitive): the order a set is tried in. */
    private static List<String> keyAliases(KeyStore store, String option) {
        try {
            List<String> keys = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    keys.add(alias);
                }
            }
            if (keys.isEmpty()) {
                throw ConfigurationProblem.of(option, null, "the key store holds no private key entry",
                        "Fix: import the client certificate together with its private key (for example openssl pkcs12 -export)");
            }
            keys.sort(String.CASE_INSENSITIVE_ORDER);
            return keys;
        } catch (KeyStoreException e) {
            throw ConfigurationProblem.of(option, null, "cannot list the key store", "Fix: check the file", e);
        }
    }

    private static List<String> aliases(KeyStore store) throws KeyStoreException {
        List<String> all = Collections.list(store.aliases());
        all.sort(String.CASE_INSENSITIVE_ORDER);
        return all;
    }

    /** The {@link #SUGGESTIONS} aliases nearest to the one asked for, by edit distance ignoring case; ties by name. */
    static List<String> closest(List<String> aliases, String asked) {
        // an alias can come from a header: bound the work a long one can cause (aliases are short)
        String wanted = (asked.length() > 100 ? asked.substring(0, 100) : asked).toLowerCase(Locale.ROOT);
        return aliases.stream()
                .sorted(Comparator.comparingInt((String a) -> editDistance(a.toLowerCase(Locale.ROOT), wanted))
                        .thenComparing(String.CASE_INSENSITIVE_ORDER))
                .limit(SUGGESTIONS).toList();
    }

    /** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
