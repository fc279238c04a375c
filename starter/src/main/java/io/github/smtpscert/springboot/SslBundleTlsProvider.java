package io.github.smtpscert.springboot;

import java.security.KeyStore;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.smtpscert.TlsBundleProvider;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslStoreBundle;

/**
 * Serves the smtps-cert option {@code sslBundle}: the named Spring Boot SSL bundle
 * ({@code spring.ssl.bundle.jks.NAME.*} or {@code spring.ssl.bundle.pem.NAME.*}) as the endpoint's client identity
 * and trust, and Spring Boot's reload of a bundle ({@code reload-on-update=true}) as the endpoint's signal to swap
 * them. The component finds this bean in the Camel registry, which sees the Spring beans.
 */
public final class SslBundleTlsProvider implements TlsBundleProvider {

    private final SslBundles bundles;

    public SslBundleTlsProvider(SslBundles bundles) {
        this.bundles = bundles;
    }

    @Override
    public String option() {
        return "sslBundle";
    }

    /**
     * The bundle's key store, with the password of its key entries as Spring Boot's own key managers take it: the
     * bundle's {@code key.password}, else the key store password, else none (a PEM bundle's in-memory store has no
     * store password, and its key entry has {@code key.password} or none); its {@code key.alias}; its trust store.
     */
    @Override
    public TlsBundle bundle(String name) {
        SslBundle bundle;
        try {
            bundle = bundles.getBundle(name);
        } catch (NoSuchSslBundleException e) {
            throw new IllegalArgumentException("Spring Boot has no SSL bundle '" + name + "' (its bundles: "
                                               + bundles.getBundleNames() + ")", e);
        }
        try {
            SslStoreBundle stores = bundle.getStores();
            SslBundleKey key = bundle.getKey();
            KeyStore keyStore = stores.getKeyStore();
            String password = key.getPassword() != null ? key.getPassword() : stores.getKeyStorePassword();
            char[] keyPassword = keyStore == null ? null : password == null ? new char[0] : password.toCharArray();
            return new TlsBundle(keyStore, keyPassword, key.getAlias(), stores.getTrustStore());
        } catch (RuntimeException e) { // Spring Boot loads a bundle's files when first asked: a missing file, bad PEM
            throw new IllegalArgumentException("the SSL bundle '" + name + "' cannot be loaded: " + e.getMessage(), e);
        }
    }

    /**
     * Registers a bundle update handler with Spring Boot. Spring Boot keeps its handlers for the life of the
     * application and has no way to remove one, so closing the returned handle only turns this one off.
     */
    @Override
    public AutoCloseable onUpdate(String name, Runnable listener) {
        AtomicBoolean open = new AtomicBoolean(true);
        bundles.addBundleUpdateHandler(name, updated -> {
            if (open.get()) {
                listener.run();
            }
        });
        return () -> open.set(false);
    }
}
