package io.github.smtpscert.internal.tls;

import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;

import io.github.smtpscert.internal.ConfigurationProblem;
import org.apache.camel.CamelContext;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * Finds the client identity and the trust for an endpoint. At most one {@link IdentitySource} may be configured; when
 * none is, the global SSLContextParameters are used if the component allows them, otherwise the session is anonymous.
 */
public final class IdentityResolver {

    /**
     * The identity and trust options, as given.
     *
     * @param clientCertificates a registry bean: KeyStore, X509KeyManager, KeyManager[], SSLContextParameters or an
     *                           {@link Identity}
     * @param global             the context's global SSLContextParameters, or null when the component does not use them
     */
    public record Options(String keyStore, String keyStorePassword, String keyStoreType, String keyAlias,
                          String keyPassword, String certificateFile, String privateKeyFile, String privateKeyPassword,
                          Object clientCertificates, SSLContextParameters sslContextParameters,
                          SSLContextParameters global, boolean validateDates, String trustStore,
                          String trustStorePassword, String trustStoreType, String trustCertificates,
                          Provided provided) {

        @Override
        public String toString() { // never the passwords
            return "IdentityResolver.Options[keyStore=" + keyStore + ", certificateFile=" + certificateFile
                   + ", trustStore=" + trustStore + ", trustCertificates=" + trustCertificates + "]";
        }
    }

    /**
     * Material a platform manages by name (a Spring Boot SSL bundle, a Quarkus TLS configuration), as it is now.
     *
     * @param option     the option that named it: sslBundle or tlsConfigurationName
     * @param keyStore   null when the bundle has no key material
     * @param trustStore null when the bundle has no trust material
     */
    public record Provided(String option, String name, KeyStore keyStore, char[] keyPassword, String keyAlias,
                           KeyStore trustStore) {

        String label() {
            return option + " '" + name + "'";
        }
    }

    /** Trust managers for the server's certificate and where they came from ("trustStore=...", the JVM's...). */
    public record Trust(TrustManager[] managers, String source) {

        public Trust {
            managers = ExplainingTrustManager.wrap(managers, source);
        }

        /** A digest of the CAs these managers accept: equal digests, equal trust. */
        public String key() {
            StringBuilder all = new StringBuilder();
            for (TrustManager manager : managers) {
                if (manager instanceof javax.net.ssl.X509TrustManager x509) {
                    for (X509Certificate ca : x509.getAcceptedIssuers()) {
                        all.append(Identity.sha256(ca)).append(',');
                    }
                }
            }
            return Identity.sha256(all.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    private final CamelContext context;
    private final Options config;

    public IdentityResolver(CamelContext context, Options options) {
        this.context = context;
        this.config = options;
    }

    public Identities identities() {
        List<IdentitySource> sources = IdentitySource.configuredIn(config);
        if (sources.size() > 1) {
            throw ConfigurationProblem.of(sources.stream().map(IdentitySource::toString).collect(Collectors.joining(" and ")),
                    null, "more than one client certificate source is configured",
                    "Fix: keep exactly one of " + IdentitySource.describeAll());
        }
        boolean dates = config.validateDates();
        IdentitySource source = sources.isEmpty() ? null : sources.get(0);
        if (source == IdentitySource.KEY_STORE) {
            KeyStore store = KeyStores.load(context, "keyStore", config.keyStore(), config.keyStoreType(),
                    chars(config.keyStorePassword()));
            return Identities.fromKeyStore(store, "keyStore", config.keyAlias(), keyPassword(), dates);
        }
        if (source == IdentitySource.PEM_FILES) {
            return Identities.of(fromPem(), dates);
        }
        if (source == IdentitySource.BEAN) {
            return fromBean(config.clientCertificates(), dates);
        }
        if (source == IdentitySource.PROVIDED) {
            Provided p = config.provided();
            if (p.keyStore() == null) {
                return Identities.of(Identity.ANONYMOUS, dates);
            }
            String alias = config.keyAlias() != null ? config.keyAlias() : p.keyAlias();
            return Identities.fromKeyStore(p.keyStore(), p.label(), alias, p.keyPassword(), dates);
        }
        if (source == IdentitySource.SSL_CONTEXT_PARAMETERS) {
            return Identities.of(fromKeyManagers(keyManagers(config.sslContextParameters(), "sslContextParameters"),
                    "sslContextParameters", certAlias(config.sslContextParameters())), dates);
        }
        SSLContextParameters global = config.global();
        if (global != null && global.getKeyManagers() != null) {
            return Identities.of(fromKeyManagers(keyManagers(global, "useGlobalSslContextParameters"),
                    "useGlobalSslContextParameters", certAlias(global)), dates);
        }
        return Identities.of(Identity.ANONYMOUS, dates);
    }

    /** Trust managers for the server's certificate; errors name the trust option. */
    public Trust trust() {
        if (config.trustStore() != null && config.trustCertificates() != null) {
            throw ConfigurationProblem.of("trustStore and trustCertificates", null,
                    "both are configured", "Fix: keep one of them");
        }
        try {
            if (config.trustStore() != null) {
                return new Trust(trustFrom(KeyStores.load(context, "trustStore", config.trustStore(),
                        config.trustStoreType(), chars(config.trustStorePassword()))), "trustStore=" + config.trustStore());
            }
            if (config.provided() != null && config.provided().trustStore() != null
                && config.trustCertificates() == null) {
                return new Trust(trustFrom(config.provided().trustStore()), "the trust of " + config.provided().label());
            }
            if (config.trustCertificates() != null) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                int i = 0;
                for (X509Certificate ca : PemReader.readCertificates(context, "trustCertificates", config.trustCertificates())) {
                    store.setCertificateEntry("ca-" + i++, ca);
                }
                return new Trust(trustFrom(store), "trustCertificates=" + config.trustCertificates());
            }
            String option = config.sslContextParameters() != null ? "sslContextParameters"
                    : config.clientCertificates() instanceof SSLContextParameters ? "clientCertificates"
                    : "useGlobalSslContextParameters";
            SSLContextParameters scp = config.sslContextParameters() != null ? config.sslContextParameters()
                    : config.clientCertificates() instanceof SSLContextParameters bean ? bean : config.global();
            if (scp != null && scp.getTrustManagers() != null) {
                return new Trust(trustFrom(scp, option), "the trustManagers of " + option);
            }
            return new Trust(trustFrom((KeyStore) null), "the JVM's default trust store");
        } catch (ConfigurationProblem e) {
            throw e;
        } catch (Exception e) {
            String option = config.trustStore() != null ? "trustStore" : "trustCertificates";
            throw ConfigurationProblem.of(option, null,
                    "cannot build the trust managers (" + e.getMessage() + ")", "Fix: check the trust options", e);
        }
    }

    private TrustManager[] trustFrom(SSLContextParameters scp, String option) {
        try {
            scp.getTrustManagers().setCamelContext(context);
            if (scp.getTrustManagers().getKeyStore() != null) {
                scp.getTrustManagers().getKeyStore().setCamelContext(context);
            }
            return scp.getTrustManagers().createTrustManagers();
        } catch (Exception e) {
            throw ConfigurationProblem.of(option, null,
                    "the SSLContextParameters trust managers cannot be created (" + e.getMessage() + ")",
                    "Fix: check the trust store resource and password in its trustManagers", e);
        }
    }

    /** One identity per certificateFile/privateKeyFile pair; comma-separated lists make a set, tried in order. */
    private Identity fromPem() {
        if (config.certificateFile() == null || config.privateKeyFile() == null) {
            String missing = config.certificateFile() == null ? "certificateFile" : "privateKeyFile";
            throw ConfigurationProblem.of(missing, null, "is missing",
                    "Fix: PEM identities need both certificateFile (certificate chain) and privateKeyFile (its key)");
        }
        List<String> certificates = locations(config.certificateFile());
        List<String> keys = locations(config.privateKeyFile());
        if (certificates.size() != keys.size()) {
            throw ConfigurationProblem.of("privateKeyFile", config.privateKeyFile(), "lists " + keys.size()
                    + " file(s) but certificateFile lists " + certificates.size(),
                    "Fix: give one key file per certificate file, in the same order, separated by commas");
        }
        List<Identity> identities = new ArrayList<>();
        for (int i = 0; i < certificates.size(); i++) {
            identities.add(fromPem(certificates.get(i), keys.get(i)));
        }
        return Identity.anyOf(identities);
    }

    private Identity fromPem(String certificateFile, String privateKeyFile) {
        List<X509Certificate> chain = PemReader.readCertificates(context, "certificateFile", certificateFile);
        X509Certificate[] certificates = chain.toArray(new X509Certificate[0]);
        String order = Identity.chainOrderProblem(certificates);
        if (order != null) {
            throw ConfigurationProblem.of("certificateFile", certificateFile, order,
                    "Fix: put the client certificate first, then the certificate that issued it, and so on");
        }
        PrivateKey key = PemReader.readPrivateKey(context, "privateKeyFile", privateKeyFile,
                chars(config.privateKeyPassword()), "privateKeyPassword");
        try {
            return Identity.of(key, certificates);
        } catch (IllegalArgumentException e) {
            throw ConfigurationProblem.of("privateKeyFile", privateKeyFile,
                    "the key does not belong to the first certificate of certificateFile=" + certificateFile,
                    "Fix: give the key that was issued with that certificate, and put the client certificate first in the file");
        }
    }

    private Identities fromBean(Object bean, boolean dates) {
        if (bean instanceof Identity identity) { // the API's ClientIdentity, unwrapped by the endpoint
            return Identities.of(identity, dates);
        }
        if (bean instanceof Collection<?> collection) { // of ClientIdentity, unwrapped by the endpoint: a set
            if (collection.isEmpty() || !collection.stream().allMatch(Identity.class::isInstance)) {
                throw ConfigurationProblem.of("clientCertificates", "a collection of " + collection.size(),
                        "a collection must hold io.github.smtpscert.ClientIdentity beans only, at least one",
                        "Fix: put ClientIdentity.of(key, chain) values in the list, in the order to try them");
            }
            return Identities.of(Identity.anyOf(collection.stream().map(Identity.class::cast).toList()), dates);
        }
        if (bean instanceof KeyStore store) {
            return Identities.fromKeyStore(store, "clientCertificates", config.keyAlias(), keyPassword(), dates);
        }
        if (bean instanceof SSLContextParameters scp) {
            if (scp.getKeyManagers() == null) {
                throw ConfigurationProblem.of("clientCertificates", "SSLContextParameters",
                        "the bean has no keyManagers", "Fix: set keyManagers (a KeyManagersParameters with a key store)");
            }
            return Identities.of(fromKeyManagers(keyManagers(scp, "clientCertificates"), "clientCertificates", certAlias(scp)), dates);
        }
        if (bean instanceof KeyManager[] managers) {
            return Identities.of(fromKeyManagers(managers, "clientCertificates", config.keyAlias()), dates);
        }
        if (bean instanceof X509KeyManager manager) {
            return Identities.of(fromKeyManagers(new KeyManager[] { manager }, "clientCertificates", config.keyAlias()), dates);
        }
        throw ConfigurationProblem.of("clientCertificates", bean.getClass().getName(),
                "unsupported bean type (or a plain string where #beanName was meant)",
                "Fix: reference a registry bean with #name that is a KeyStore, X509KeyManager, KeyManager[], "
                + "SSLContextParameters, io.github.smtpscert.ClientIdentity or a List of ClientIdentity");
    }

    private String certAlias(SSLContextParameters scp) {
        return config.keyAlias() != null ? config.keyAlias() : scp.getCertAlias();
    }

    private KeyManager[] keyManagers(SSLContextParameters scp, String option) {
        try {
            scp.getKeyManagers().setCamelContext(context);
            if (scp.getKeyManagers().getKeyStore() != null) {
                scp.getKeyManagers().getKeyStore().setCamelContext(context);
            }
            return scp.getKeyManagers().createKeyManagers();
        } catch (Exception e) {
            throw ConfigurationProblem.of(option, null,
                    "the SSLContextParameters key managers cannot be created (" + e.getMessage() + ")",
                    "Fix: check the key store resource and passwords in its keyManagers", e);
        }
    }

    /** Takes the key manager's alias to present: the given one, else the alias that sorts first. */
    private static Identity fromKeyManagers(KeyManager[] managers, String option, String alias) {
        for (KeyManager km : managers) {
            if (km instanceof X509KeyManager x509) {
                String chosen = alias != null ? alias : firstAlias(x509);
                if (chosen == null) {
                    continue;
                }
                X509Certificate[] chain = x509.getCertificateChain(chosen);
                PrivateKey key = x509.getPrivateKey(chosen);
                if (chain == null || chain.length == 0 || key == null) {
                    throw ConfigurationProblem.of(alias != null ? "keyAlias" : option, chosen,
                            "the key manager has no certificate chain and private key for this alias",
                            "Fix: use the alias of a private key entry");
                }
                try {
                    return Identity.of(key, chain);
                } catch (IllegalArgumentException e) {
                    throw ConfigurationProblem.of(option, chosen, e.getMessage(), "Fix: check the key entry", e);
                }
            }
        }
        throw ConfigurationProblem.of(option, null, "the key managers hold no client certificate with a private key",
                "Fix: give key material with at least one private key entry");
    }

    private static String firstAlias(X509KeyManager manager) {
        List<String> aliases = new ArrayList<>();
        for (String type : new String[] { "RSA", "EC", "RSASSA-PSS", "EdDSA", "Ed25519", "DSA" }) {
            String[] found = manager.getClientAliases(type, null);
            if (found != null) {
                aliases.addAll(Arrays.asList(found));
            }
        }
        return aliases.stream().distinct().sorted(String.CASE_INSENSITIVE_ORDER).findFirst().orElse(null);
    }

    /** The locations of an option that takes a comma-separated list (certificateFile, privateKeyFile). */
    public static List<String> locations(String option) {
        return option == null ? List.of() : Arrays.stream(option.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Every key material file the options name (keyStore, certificateFile, privateKeyFile, trustStore and
     * trustCertificates), as given: what reloading watches.
     */
    public static List<String> files(Options o) {
        List<String> files = new ArrayList<>();
        if (o.keyStore() != null) {
            files.add(o.keyStore());
        }
        files.addAll(locations(o.certificateFile()));
        files.addAll(locations(o.privateKeyFile()));
        if (o.trustStore() != null) {
            files.add(o.trustStore());
        }
        if (o.trustCertificates() != null) {
            files.add(o.trustCertificates());
        }
        return files;
    }

    /** Whether the identity or trust comes from registry beans, which are rebuilt at each reload check. */
    public static boolean usesBeans(Options o) {
        return o.clientCertificates() != null || o.sslContextParameters() != null || o.global() != null
               || o.provided() != null;
    }

    private char[] keyPassword() {
        String password = config.keyPassword() != null ? config.keyPassword() : config.keyStorePassword();
        return password == null ? new char[0] : password.toCharArray();
    }

    private static TrustManager[] trustFrom(KeyStore store) throws java.security.GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    private static char[] chars(String secret) {
        return secret == null ? null : secret.toCharArray();
    }
}
