package io.github.smtpscert.tls;

import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * SSLContexts per client identity, so JSSE's client session cache (keyed by host and port only) is partitioned by
 * identity: a session negotiated while presenting certificate X is only ever offered for resumption while presenting
 * X. An identity gets as many contexts as it has concurrent handshakes (see TrackingSocketFactory). With caching off,
 * every connection gets a fresh context and so a full handshake.
 */
public final class TlsContexts {

    /** The key of the anonymous (no client certificate) partition. */
    public static final String ANONYMOUS = "anonymous";

    private final TrustManager[] trustManagers;
    private final TlsPolicy policy;
    private final boolean cacheEnabled;
    private final int cacheSize;
    private final int cacheTimeoutSeconds;
    private final Map<String, TrackingSocketFactory> factories = new ConcurrentHashMap<>();

    public TlsContexts(TrustManager[] trustManagers, TlsPolicy policy, boolean cacheEnabled, int cacheSize,
                       int cacheTimeoutSeconds) {
        this.trustManagers = trustManagers;
        this.policy = policy;
        this.cacheEnabled = cacheEnabled;
        this.cacheSize = cacheSize;
        this.cacheTimeoutSeconds = cacheTimeoutSeconds;
    }

    public static String keyOf(ClientIdentity identity) {
        return identity == null ? ANONYMOUS : identity.fingerprint();
    }

    public TlsPolicy policy() {
        return policy;
    }

    /** The socket factory for an identity (null = anonymous); the same instance for the same identity. */
    public SSLSocketFactory socketFactory(ClientIdentity identity) {
        return factories.computeIfAbsent(keyOf(identity),
                key -> new TrackingSocketFactory(() -> newContext(identity), cacheEnabled, policy));
    }

    /** Returns the TLS socket the calling thread most recently created through one of these factories. */
    public static javax.net.ssl.SSLSocket takeLastSocket() {
        return TrackingSocketFactory.takeLastSocket();
    }

    private SSLContext newContext(ClientIdentity identity) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            KeyManager[] keyManagers = identity == null ? null : new KeyManager[] { new FixedIdentityKeyManager(identity) };
            context.init(keyManagers, trustManagers, null);
            if (cacheEnabled) {
                context.getClientSessionContext().setSessionCacheSize(cacheSize);
                context.getClientSessionContext().setSessionTimeout(cacheTimeoutSeconds);
            }
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the TLS context: " + e.getMessage(), e);
        }
    }
}
