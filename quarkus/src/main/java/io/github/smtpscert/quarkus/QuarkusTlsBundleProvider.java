package io.github.smtpscert.quarkus;

import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.smtpscert.TlsBundleProvider;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.net.KeyCertOptions;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Serves smtps-cert's {@code tlsConfigurationName} option from the Quarkus TLS registry: the client identity is the
 * named configuration's key store ({@code quarkus.tls.NAME.key-store.*}), the trust its trust store
 * ({@code quarkus.tls.NAME.trust-store.*}). When Quarkus reports that the configuration was reloaded (a
 * {@link CertificateUpdatedEvent}, fired after each {@code quarkus.tls.NAME.reload-period} or by the application), the
 * endpoints that use it are told at once, and swap identities as they do for a file reload.
 *
 * <p>A CDI bean that the component finds by type in the Camel registry, which Camel Quarkus backs with Arc. It is
 * {@link Unremovable} because nothing injects it: the component looks it up at run time.
 */
@Singleton
@Unremovable
public class QuarkusTlsBundleProvider implements TlsBundleProvider {

    private static final Logger LOG = Logger.getLogger(QuarkusTlsBundleProvider.class);

    private final TlsConfigurationRegistry registry;
    private final Map<String, List<Runnable>> listeners = new ConcurrentHashMap<>();
    private volatile boolean shuttingDown;

    /**
     * @param registry the Quarkus TLS registry
     */
    @Inject
    public QuarkusTlsBundleProvider(TlsConfigurationRegistry registry) {
        this.registry = registry;
    }

    @Override
    public String option() {
        return "tlsConfigurationName";
    }

    @Override
    public TlsBundle bundle(String name) {
        TlsConfiguration tls = registry.get(name).orElseThrow(() -> new IllegalArgumentException(
                "there is no Quarkus TLS configuration '" + name + "' (configured: " + configuredNames() + ")"));
        KeyStore keyStore;
        KeyCertOptions keyOptions;
        KeyStore trustStore;
        boolean trustAll;
        // Quarkus swaps a configuration's stores and options together while holding its lock: read them under it too,
        // so that the key store and the options that hold its password belong to the same reload
        synchronized (tls) {
            keyStore = tls.getKeyStore();
            keyOptions = tls.getKeyStoreOptions();
            trustStore = tls.getTrustStore();
            trustAll = tls.isTrustAll();
        }
        if (trustAll) {
            throw new IllegalStateException("the Quarkus TLS configuration '" + name + "' trusts all certificates "
                    + "(quarkus.tls." + name + ".trust-all=true), which smtps-cert does not accept. Fix: configure "
                    + "quarkus.tls." + name + ".trust-store.* with the CA of the mail server");
        }
        if (keyStore == null) {
            return new TlsBundle(null, null, null, trustStore);
        }
        KeyEntries.Copy copy = KeyEntries.copy(keyStore, KeyEntries.passwordsOf(keyOptions),
                "the key store of the Quarkus TLS configuration '" + name + "'");
        return new TlsBundle(copy.keyStore(), copy.password(), KeyEntries.aliasOf(keyOptions), trustStore);
    }

    @Override
    public AutoCloseable onUpdate(String name, Runnable listener) {
        List<Runnable> forName = listeners.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>());
        forName.add(listener);
        return () -> forName.remove(listener);
    }

    /**
     * Tells the endpoints that use the updated configuration. Quarkus fires the event on a worker thread after the
     * configuration holds the new material, so the endpoints' reload reads the new stores.
     */
    void certificateUpdated(@Observes CertificateUpdatedEvent event) {
        List<Runnable> forName = listeners.get(event.name());
        if (forName == null || forName.isEmpty() || shuttingDown) {
            return;
        }
        LOG.debugf("Quarkus reloaded the TLS configuration '%s': reloading %d smtps-cert endpoint(s)", event.name(),
                forName.size());
        for (Runnable listener : forName) {
            if (shuttingDown) {
                return;
            }
            try {
                listener.run();
            } catch (RuntimeException e) { // one endpoint's failure must not keep the others on the old identity
                LOG.warnf("smtps-cert: reloading after the update of the Quarkus TLS configuration '%s' failed: %s",
                        event.name(), e.toString());
            }
        }
    }

    /**
     * From now on updates are not passed on: the endpoints stop with the application, and a reload that ran into the
     * shutdown would look beans up in a container that is going away.
     */
    void shutdown(@Observes ShutdownEvent event) {
        shuttingDown = true;
    }

    /** The names of the quarkus.tls.NAME.* configurations, for error messages; the registry cannot list them. */
    private Set<String> configuredNames() {
        Set<String> names = new TreeSet<>();
        if (registry.getDefault().isPresent()) {
            names.add("<default>"); // quarkus.tls.key-store.* and the like: the unnamed configuration
        }
        for (String property : ConfigProvider.getConfig().getPropertyNames()) {
            if (!property.startsWith("quarkus.tls.")) {
                continue;
            }
            String rest = property.substring("quarkus.tls.".length());
            String first;
            if (rest.startsWith("\"")) {
                int end = rest.indexOf('"', 1);
                first = end < 0 ? rest : rest.substring(1, end);
            } else {
                int dot = rest.indexOf('.');
                first = dot < 0 ? rest : rest.substring(0, dot);
            }
            if (registry.get(first).isPresent()) { // not key-store, trust-store, ... of the unnamed configuration
                names.add(first);
            }
        }
        return names;
    }
}
