package io.github.smtpscert.internal.tls;

import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * Makes SSLContexts for an identity. JSSE's client session cache is keyed by host and port only, so a context is only
 * ever used for one identity: a session negotiated while presenting certificate X is only offered again while
 * presenting X. With caching off every context starts empty, so every connection gets a full handshake.
 */
public final class SslContexts {

    private final String address;
    private final TrustManager[] trustManagers;
    private final boolean cacheEnabled;
    private final int cacheSize;
    private final int cacheTimeoutSeconds;
    // one per identity, shared by its contexts: its "no certificate matches the server's CAs" WARN is logged once
    private final Map<String, SelectingKeyManager> selectors = new ConcurrentHashMap<>();

    /**
     * @param address       the server's host:port, for the selection WARNs
     * @param trustManagers null for the JVM's default trust
     */
    public SslContexts(String address, TrustManager[] trustManagers, boolean cacheEnabled, int cacheSize,
                       int cacheTimeoutSeconds) {
        this.address = address;
        this.trustManagers = trustManagers;
        this.cacheEnabled = cacheEnabled;
        this.cacheSize = cacheSize;
        this.cacheTimeoutSeconds = cacheTimeoutSeconds;
    }

    public boolean cacheEnabled() {
        return cacheEnabled;
    }

    /** A new context presenting the identity (none when anonymous), with its own empty session cache. */
    public SSLContext newContext(Identity identity) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            KeyManager[] keyManagers = identity.isAnonymous() ? null
                    : new KeyManager[] { selectors.computeIfAbsent(identity.key(), k -> new SelectingKeyManager(identity, address)) };
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
