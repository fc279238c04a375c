package io.github.smtpscert.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.mail.MailAddress;
import com.icegreen.greenmail.mail.MovingMessage;
import com.icegreen.greenmail.server.ProtocolHandler;
import com.icegreen.greenmail.smtp.SmtpHandler;
import com.icegreen.greenmail.smtp.SmtpManager;
import com.icegreen.greenmail.smtp.SmtpServer;
import com.icegreen.greenmail.smtp.SmtpState;
import com.icegreen.greenmail.smtp.commands.SmtpCommandRegistry;
import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.user.MessageDeliveryHandler;
import com.icegreen.greenmail.user.UserManager;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GreenMail SMTP on 127.0.0.1 speaking implicit TLS (SMTPS) that, by default, requires a client certificate
 * issued under the given trust store, and records per message which certificate the client presented.
 * <p>
 * GreenMail's own SMTPS trusts everything and never asks for a client certificate, so this replaces the
 * server socket with one from our own {@link SSLContext} and runs the TLS handshake itself, in the
 * connection's handler thread, before any SMTP is spoken. Each connection gets its own {@link SmtpManager},
 * so a message is tied to the connection it arrived on without relying on thread identity.
 * <p>
 * Counters for handshakes are updated before the SMTP greeting is sent, and deliveries before the
 * server answers {@code 250} to DATA, so they are final as soon as the client's send call returns.
 * Only {@link #failedHandshakes()} may lag behind the client's view of a refused handshake.
 */
public final class MtlsSmtpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MtlsSmtpServer.class);
    private static final String HOST = "127.0.0.1";
    private static final char[] SERVER_KEY_PASSWORD = "server".toCharArray();
    private static final long START_TIMEOUT_MILLIS = 10_000;

    /** How the server treats client certificates. */
    public enum ClientAuth {
        /** Handshake fails without a trusted client certificate. */
        NEED,
        /** Asks for a certificate but accepts clients without one. */
        WANT,
        /** Never asks. */
        NONE
    }

    /**
     * One message accepted by the server.
     *
     * @param message             the received message (with GreenMail's Return-Path/Received headers prepended)
     * @param clientSubjectDn     RFC 2253 subject of the verified client certificate, or null if none
     * @param clientCertSha256Hex lower-case hex SHA-256 of that certificate, or null if none
     * @param sessionResumed      whether the connection's TLS session was resumed (no full handshake)
     * @param connectionId        1-based number of the TCP connection, in accept order
     * @param tlsProtocol         negotiated protocol, e.g. TLSv1.3
     * @param envelopeRecipients  RCPT TO addresses of this transaction (includes Bcc recipients)
     * @param cipherSuite         negotiated cipher suite, e.g. TLS_AES_256_GCM_SHA384
     */
    public record Delivery(MimeMessage message, String clientSubjectDn, String clientCertSha256Hex,
                           boolean sessionResumed, int connectionId, String tlsProtocol,
                           List<String> envelopeRecipients, String cipherSuite) {
    }

    private final Managers managers = new Managers();
    private final List<Delivery> deliveries = Collections.synchronizedList(new ArrayList<>());
    private final Set<TlsSmtpHandler> openHandlers = ConcurrentHashMap.newKeySet();
    // Sockets for which the server picked its certificate, i.e. that did a full handshake.
    private final Set<Socket> fullHandshakeSockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger fullHandshakes = new AtomicInteger();
    private final AtomicInteger resumedHandshakes = new AtomicInteger();
    private final AtomicInteger failedHandshakes = new AtomicInteger();
    private final SSLContext sslContext;
    private final ClientAuth clientAuth;
    private final String[] protocols;
    private final String[] cipherSuites;
    private final TlsSmtpServer server;

    private MtlsSmtpServer(Builder builder) {
        this.clientAuth = builder.clientAuth;
        this.protocols = builder.protocols.clone();
        this.cipherSuites = builder.cipherSuites == null ? null : builder.cipherSuites.clone();
        this.sslContext = serverContext(builder.serverLeaf, builder.trustStore, builder.advertisedIssuers);
        // GreenMail's default is to reject AUTH for unknown users; tests want any login accepted.
        managers.getUserManager().setAuthRequired(builder.authRequired);
        MessageDeliveryHandler stock = managers.getUserManager().getMessageDeliveryHandler();
        managers.getUserManager().setMessageDeliveryHandler((message, address) -> {
            synchronized (stock) { // GreenMail creates a recipient's mailbox on first delivery, and that races
                return stock.handle(message, address);
            }
        });
        this.server = new TlsSmtpServer(new ServerSetup(0, HOST, ServerSetup.PROTOCOL_SMTPS), managers);
    }

    /** Starts a server that needs a client certificate trusted by {@code pki}, offering TLSv1.3 and TLSv1.2. */
    public static MtlsSmtpServer start(TestPki pki, Leaf serverLeaf) {
        return builder(pki, serverLeaf).start();
    }

    public static Builder builder(TestPki pki, Leaf serverLeaf) {
        return new Builder(pki, serverLeaf);
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return server.getPort();
    }

    /** Every message accepted so far, in acceptance order. */
    public List<Delivery> deliveries() {
        synchronized (deliveries) {
            return List.copyOf(deliveries);
        }
    }

    /** Forgets every message accepted so far, so that a benchmark's runs all meet a server holding as little. */
    public void clearDeliveries() throws FolderException {
        deliveries.clear();
        for (MailFolder folder : managers.getImapHostManager().getStore().listMailboxes("*")) {
            folder.deleteAllMessages();
        }
    }

    /** TCP connections accepted so far, including ones whose handshake failed. */
    public int connectionCount() {
        return connections.get();
    }

    public int fullHandshakes() {
        return fullHandshakes.get();
    }

    public int resumedHandshakes() {
        return resumedHandshakes.get();
    }

    /** Handshakes the server refused or that broke off. May lag slightly behind the client seeing the failure. */
    public int failedHandshakes() {
        return failedHandshakes.get();
    }

    /** Connections whose handler is still running; a closed connection leaves this set shortly after closing. */
    public int openConnections() {
        return openHandlers.size();
    }

    /** GreenMail's user manager, e.g. to add users and call {@code setAuthRequired(true)}. */
    public UserManager userManager() {
        return managers.getUserManager();
    }

    /** Server-side close of every open connection, as an MTA dropping idle clients would. The server keeps running. */
    public void closeAllConnections() {
        for (TlsSmtpHandler handler : openHandlers) {
            handler.dropConnection();
        }
    }

    @Override
    public void close() {
        server.stopService();
    }

    private MtlsSmtpServer startServer() {
        server.startService();
        try {
            if (!server.waitTillRunning(START_TIMEOUT_MILLIS)) {
                server.stopService();
                throw new IllegalStateException("SMTPS test server did not start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stopService();
            throw new IllegalStateException("Interrupted while starting SMTPS test server", e);
        }
        LOG.info("mTLS SMTPS test server on {}:{} (clientAuth={}, protocols={})",
                HOST, port(), clientAuth, String.join(",", protocols));
        return this;
    }

    private SSLContext serverContext(Leaf serverLeaf, KeyStore trustStore, X509Certificate[] advertisedIssuers) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(serverLeaf.keyStore(SERVER_KEY_PASSWORD), SERVER_KEY_PASSWORD);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore);
            X509ExtendedKeyManager keyManager = (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
            SSLContext context = SSLContext.getInstance("TLS");
            TrustManager[] trustManagers = tmf.getTrustManagers();
            if (advertisedIssuers != null) {
                trustManagers = new TrustManager[] {
                    new AdvertisingTrustManager((X509ExtendedTrustManager) trustManagers[0], advertisedIssuers)};
            }
            context.init(new KeyManager[] {new FullHandshakeObserver(keyManager)}, trustManagers, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot create server SSLContext", e);
        }
    }

    /** Configures an {@link MtlsSmtpServer}. */
    public static final class Builder {
        private final Leaf serverLeaf;
        private KeyStore trustStore;
        private ClientAuth clientAuth = ClientAuth.NEED;
        private String[] protocols = {"TLSv1.3", "TLSv1.2"};
        private String[] cipherSuites;
        private boolean authRequired;
        private X509Certificate[] advertisedIssuers;

        private Builder(TestPki pki, Leaf serverLeaf) {
            this.serverLeaf = serverLeaf;
            this.trustStore = pki.trustStore();
        }

        /** Trust these CAs for client certificates instead of the PKI's root. */
        public Builder trustStore(KeyStore trustStore) {
            this.trustStore = trustStore;
            return this;
        }

        public Builder clientAuth(ClientAuth clientAuth) {
            this.clientAuth = clientAuth;
            return this;
        }

        /** Restricts the enabled TLS protocols, e.g. {@code protocols("TLSv1.2")}. */
        public Builder protocols(String... protocols) {
            this.protocols = protocols.clone();
            return this;
        }

        /** Restricts the enabled cipher suites, e.g. to one the client does not offer; default: the JVM's. */
        public Builder cipherSuites(String... cipherSuites) {
            this.cipherSuites = cipherSuites.clone();
            return this;
        }

        /** Whether SMTP AUTH checks GreenMail users; off by default, so any login succeeds. */
        public Builder authRequired(boolean authRequired) {
            this.authRequired = authRequired;
            return this;
        }

        /**
         * The CAs the server names in its certificate request (TLS 1.2 certificate_authorities field, TLS 1.3
         * certificate_authorities extension) instead of the trust store's; none: no list at all in TLS 1.3, an empty
         * one in TLS 1.2. Which client certificates the server verifies does not change.
         */
        public Builder advertisedIssuers(X509Certificate... issuers) {
            this.advertisedIssuers = issuers.clone();
            return this;
        }

        public MtlsSmtpServer start() {
            return new MtlsSmtpServer(this).startServer();
        }
    }

    /** GreenMail SMTP server whose sockets come from our SSLContext. */
    private final class TlsSmtpServer extends SmtpServer {

        TlsSmtpServer(ServerSetup setup, Managers managers) {
            super(setup, managers);
        }

        @Override
        protected ServerSocket openServerSocket() throws IOException {
            // Plain TCP here; TLS is layered per connection so closeAllConnections() can close the TCP socket itself
            // (JDK 17 blocks closing an SSLSocket from another thread while its handler thread is reading).
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            try {
                socket.bind(new InetSocketAddress(bindTo, 0));
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            setup = setup.port(socket.getLocalPort());
            return socket;
        }

        @Override
        protected ProtocolHandler createProtocolHandler(Socket tcp) {
            // Runs in the accept thread, before the client can see any handshake bytes.
            int connectionId = connections.incrementAndGet();
            SSLSocket tls;
            try {
                tcp.setTcpNoDelay(true); // otherwise Nagle delays each greeting and reply by up to 40 ms
                tls = (SSLSocket) sslContext.getSocketFactory().createSocket(tcp, null, tcp.getPort(), true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            tls.setUseClientMode(false);
            tls.setEnabledProtocols(protocols);
            if (cipherSuites != null) {
                tls.setEnabledCipherSuites(cipherSuites);
            }
            if (clientAuth == ClientAuth.NEED) {
                tls.setNeedClientAuth(true);
            } else if (clientAuth == ClientAuth.WANT) {
                tls.setWantClientAuth(true);
            }
            ConnectionSmtpManager manager = new ConnectionSmtpManager(managers);
            return new TlsSmtpHandler(connectionId, manager, tls, tcp);
        }
    }

    /** What the handshake established for one connection. */
    private record ConnectionInfo(int id, String subjectDn, String sha256Hex, boolean resumed, String protocol,
                                  String cipherSuite) {
    }

    /** Handles one connection: TLS handshake first, then GreenMail's SMTP dialogue. */
    private final class TlsSmtpHandler extends SmtpHandler {
        private final int connectionId;
        private final ConnectionSmtpManager connectionManager;
        private final Socket tcp;

        TlsSmtpHandler(int connectionId, ConnectionSmtpManager manager, SSLSocket socket, Socket tcp) {
            super(new SmtpCommandRegistry(), manager, socket);
            this.connectionId = connectionId;
            this.connectionManager = manager;
            this.tcp = tcp;
        }

        /** Drops the connection at the TCP level, as a server timing out an idle client would. */
        void dropConnection() {
            setQuitting(true);
            try {
                tcp.close();
            } catch (IOException e) {
                LOG.debug("closing connection {}", connectionId, e);
            }
        }

        @Override
        public void run() {
            openHandlers.add(this);
            try {
                ConnectionInfo info = handshake();
                if (info != null) {
                    connectionManager.connection = info;
                    super.run();
                }
            } catch (RuntimeException e) {
                // GreenMail throws when a client vanishes mid-command; keep it out of the uncaught handler.
                LOG.warn("SMTPS connection {} ended with an error", connectionId, e);
            } finally {
                openHandlers.remove(this);
                fullHandshakeSockets.remove(socket);
            }
        }

        private ConnectionInfo handshake() {
            SSLSocket sslSocket = (SSLSocket) socket;
            SSLSession session;
            try {
                sslSocket.startHandshake();
                session = sslSocket.getSession();
            } catch (IOException e) {
                failedHandshakes.incrementAndGet();
                LOG.info("SMTPS connection {}: TLS handshake failed: {}", connectionId, e.toString());
                close();
                return null;
            }
            boolean resumed = !fullHandshakeSockets.remove(socket);
            (resumed ? resumedHandshakes : fullHandshakes).incrementAndGet();

            X509Certificate clientCert = peerCertificate(session);
            String subjectDn = clientCert == null ? null : clientCert.getSubjectX500Principal().getName();
            String fingerprint = clientCert == null ? null : TestPki.sha256Hex(clientCert);
            LOG.debug("SMTPS connection {}: {} {} handshake, client {}", connectionId, session.getProtocol(),
                    resumed ? "resumed" : "full", subjectDn);
            return new ConnectionInfo(connectionId, subjectDn, fingerprint, resumed, session.getProtocol(),
                    session.getCipherSuite());
        }

        private X509Certificate peerCertificate(SSLSession session) {
            try {
                Certificate[] peer = session.getPeerCertificates();
                return (X509Certificate) peer[0];
            } catch (SSLPeerUnverifiedException e) {
                return null; // client sent no certificate (ClientAuth WANT or NONE)
            }
        }
    }

    /**
     * One per connection so each accepted message knows its connection.
     * Delivers into the shared GreenMail mailboxes exactly like the stock manager.
     */
    private final class ConnectionSmtpManager extends SmtpManager {
        private ConnectionInfo connection;

        ConnectionSmtpManager(Managers managers) {
            super(managers.getImapHostManager(), managers.getUserManager());
        }

        @Override
        public synchronized void send(SmtpState state) {
            super.send(state);
            MovingMessage message = state.getMessage();
            List<String> recipients = new ArrayList<>();
            for (MailAddress address : message.getToAddresses()) {
                recipients.add(address.getEmail());
            }
            ConnectionInfo info = connection;
            deliveries.add(new Delivery(message.getMessage(), info.subjectDn(), info.sha256Hex(), info.resumed(),
                    info.id(), info.protocol(), List.copyOf(recipients), info.cipherSuite()));
        }
    }

    /**
     * Verifies client certificates as the trust store does, but names other CAs (or none) as the acceptable issuers:
     * JSSE builds the certificate request's list of CA names from {@link #getAcceptedIssuers()}.
     */
    private static final class AdvertisingTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private final X509Certificate[] advertised;

        AdvertisingTrustManager(X509ExtendedTrustManager delegate, X509Certificate[] advertised) {
            this.delegate = delegate;
            this.advertised = advertised;
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return advertised.clone();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }
    }

    /**
     * Delegating key manager that notes which sockets asked for the server certificate. The JDK only asks
     * during a full handshake; a resumed session (TLS 1.2 session id/ticket, TLS 1.3 PSK) reuses the
     * earlier authentication and never gets here, for any TLS version and for stateless or cached sessions.
     */
    private final class FullHandshakeObserver extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager delegate;

        FullHandshakeObserver(X509ExtendedKeyManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            if (socket != null) {
                fullHandshakeSockets.add(socket);
            }
            return delegate.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return delegate.chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return delegate.getServerAliases(keyType, issuers);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return delegate.getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return delegate.chooseClientAlias(keyTypes, issuers, socket);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return delegate.chooseEngineClientAlias(keyTypes, issuers, engine);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate.getPrivateKey(alias);
        }
    }
}
