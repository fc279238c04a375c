package io.github.smtpscert.quarkus;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.KeyStoreOptionsBase;
import io.vertx.core.net.impl.KeyStoreHelper;

/**
 * The private key entries of a Quarkus key store, copied into a new in-memory PKCS12 store under one password chosen
 * here. A {@link io.quarkus.tls.TlsConfiguration} gives its key store but not the password of its key entries, and
 * that password depends on how the store was configured:
 * <ul>
 * <li>PEM ({@code key-store.pem.N.cert/key}): Vert.x parses the files into an in-memory store whose entries
 * ({@code dummy-entry-0}, ...) are protected with its constant {@link KeyStoreHelper#DUMMY_PASSWORD};</li>
 * <li>PKCS12 and JKS ({@code key-store.p12.*}, {@code key-store.jks.*}): the {@code alias-password} if set, else the
 * store {@code password} (both as resolved by Quarkus, credentials providers included), which the options
 * ({@link KeyStoreOptionsBase}) hold.</li>
 * </ul>
 * Each candidate is tried per entry, so the component gets one store and one password whatever the source.
 */
final class KeyEntries {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The copied store and the password of its key entries. */
    record Copy(KeyStore keyStore, char[] password) {
    }

    private KeyEntries() {
    }

    /** The passwords the key entries of a store with these options may have, most specific first. */
    static List<char[]> passwordsOf(KeyCertOptions options) {
        List<char[]> candidates = new ArrayList<>();
        if (options instanceof KeyStoreOptionsBase store) {
            if (store.getAliasPassword() != null) {
                candidates.add(store.getAliasPassword().toCharArray());
            }
            if (store.getPassword() != null) {
                candidates.add(store.getPassword().toCharArray());
            }
        }
        candidates.add(KeyStoreHelper.DUMMY_PASSWORD.toCharArray());
        return candidates;
    }

    /** The entry the configuration selects ({@code key-store.p12.alias}, {@code key-store.jks.alias}), or null. */
    static String aliasOf(KeyCertOptions options) {
        return options instanceof KeyStoreOptionsBase store ? store.getAlias() : null;
    }

    /**
     * @param source     the key store as Quarkus loaded it
     * @param candidates the passwords to try on each key entry, in order
     * @param label      the store, for error messages
     * @return a new PKCS12 store with every private key entry of {@code source}, under the same aliases
     * @throws IllegalStateException when an entry's key cannot be read with any candidate
     */
    static Copy copy(KeyStore source, List<char[]> candidates, String label) {
        char[] password = Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes()).toCharArray();
        try {
            KeyStore copy = KeyStore.getInstance("PKCS12");
            copy.load(null, null);
            for (String alias : Collections.list(source.aliases())) {
                if (!source.isKeyEntry(alias)) {
                    continue; // trusted certificates say nothing about the client identity
                }
                Key key = key(source, alias, candidates, label);
                Certificate[] chain = source.getCertificateChain(alias);
                if (key instanceof PrivateKey && chain != null && chain.length > 0) {
                    copy.setKeyEntry(alias, key, password, chain);
                }
            }
            return new Copy(copy, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot copy the key entries of " + label + ": " + e, e);
        }
    }

    private static Key key(KeyStore source, String alias, List<char[]> candidates, String label)
            throws GeneralSecurityException {
        for (char[] candidate : candidates) {
            try {
                Key key = source.getKey(alias, candidate);
                if (key != null) {
                    return key;
                }
            } catch (UnrecoverableKeyException wrongPassword) {
                // the next candidate
            }
        }
        throw new IllegalStateException("cannot read the private key '" + alias + "' of " + label + " with the "
                + "store's alias-password, its password, or Vert.x's in-memory PEM password. Fix: set "
                + "alias-password when the key entry has a password of its own");
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
