package io.github.smtpscert.internal.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import io.github.smtpscert.internal.tls.TlsPolicy;

/**
 * Hands Angus Mail TLS sockets for one identity, with our policy applied, and remembers per thread the last socket it
 * made so the connection can read the negotiated session once Angus has done the handshake.
 * <p>
 * Each socket takes an SSLContext that no other handshake is using and gives it back when the connection reads its
 * socket. JDK 17 keeps one TLS 1.3 ticket per host and port in a context and uses it once, so concurrent handshakes
 * sharing one context would mostly start from scratch; with a context each, every one finds the ticket its context's
 * previous handshake left. All contexts belong to the same identity, so nothing is ever resumed across identities.
 */
final class TrackingSocketFactory extends SSLSocketFactory {

    private record Lease(SSLSocket socket, TrackingSocketFactory owner, SSLContext context) {
    }

    private static final ThreadLocal<Lease> LAST = new ThreadLocal<>();

    private final Supplier<SSLContext> newContext;
    private final boolean reuseContexts;
    private final TlsPolicy policy;
    private final Deque<SSLContext> idleContexts = new ConcurrentLinkedDeque<>();

    /**
     * @param reuseContexts false: a fresh context (so an empty session cache) for every socket
     */
    TrackingSocketFactory(Supplier<SSLContext> newContext, boolean reuseContexts, TlsPolicy policy) {
        this.newContext = newContext;
        this.reuseContexts = reuseContexts;
        this.policy = policy;
    }

    /** Returns and forgets the last TLS socket this thread created through any tracking factory. */
    static SSLSocket takeLastSocket() {
        Lease lease = LAST.get();
        if (lease == null) {
            return null;
        }
        LAST.remove();
        if (lease.owner.reuseContexts) {
            lease.owner.idleContexts.offerFirst(lease.context); // most recent ticket first
        }
        return lease.socket;
    }

    private interface SocketMaker {
        Socket make(SSLSocketFactory factory) throws IOException;
    }

    private Socket create(SocketMaker maker) throws IOException {
        SSLContext context = reuseContexts ? idleContexts.pollFirst() : null;
        if (context == null) {
            context = newContext.get();
        }
        Socket socket = maker.make(context.getSocketFactory());
        // a resumed TLS 1.3 handshake writes two small records back to back; with Nagle on, the second waits for the
        // server's delayed ACK, about 40 ms on Linux, on every new connection (see decisions.md)
        socket.setTcpNoDelay(true);
        if (socket instanceof SSLSocket ssl) {
            if (policy.protocols() != null) {
                ssl.setEnabledProtocols(policy.protocols());
            }
            if (policy.cipherSuites() != null) {
                ssl.setEnabledCipherSuites(policy.cipherSuites());
            }
            takeLastSocket(); // an earlier socket on this thread that nobody read: give its context back
            LAST.set(new Lease(ssl, this, context));
        } else if (reuseContexts) {
            idleContexts.offerFirst(context);
        }
        return socket;
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        return create(f -> f.createSocket(AlertFirstSocket.wrap(socket), host, port, autoClose));
    }

    @Override
    public Socket createSocket() throws IOException {
        return create(SSLSocketFactory::createSocket);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return create(f -> f.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return create(f -> f.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return create(f -> f.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return create(f -> f.createSocket(address, port, localAddress, localPort));
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return anyContext().getSocketFactory().getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return anyContext().getSocketFactory().getSupportedCipherSuites();
    }

    private SSLContext anyContext() {
        SSLContext context = idleContexts.peekFirst();
        return context != null ? context : newContext.get();
    }
}
