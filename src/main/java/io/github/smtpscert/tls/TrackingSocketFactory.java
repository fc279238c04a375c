package io.github.smtpscert.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.function.Supplier;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Hands Angus Mail TLS sockets from the identity's SSLContext with our policy applied, and remembers, per thread, the
 * last socket it made so the connection can read the negotiated session after Angus has done the handshake.
 */
final class TrackingSocketFactory extends SSLSocketFactory {

    private static final ThreadLocal<SSLSocket> LAST_SOCKET = new ThreadLocal<>();

    private final Supplier<SSLSocketFactory> delegate;
    private final TlsPolicy policy;

    TrackingSocketFactory(Supplier<SSLSocketFactory> delegate, TlsPolicy policy) {
        this.delegate = delegate;
        this.policy = policy;
    }

    /** Returns and forgets the last TLS socket this thread created through any tracking factory. */
    static SSLSocket takeLastSocket() {
        SSLSocket socket = LAST_SOCKET.get();
        LAST_SOCKET.remove();
        return socket;
    }

    private Socket track(Socket socket) {
        if (socket instanceof SSLSocket ssl) {
            if (policy.protocols() != null) {
                ssl.setEnabledProtocols(policy.protocols());
            }
            if (policy.cipherSuites() != null) {
                ssl.setEnabledCipherSuites(policy.cipherSuites());
            }
            LAST_SOCKET.set(ssl);
        }
        return socket;
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        return track(delegate.get().createSocket(socket, host, port, autoClose));
    }

    @Override
    public Socket createSocket() throws IOException {
        return track(delegate.get().createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return track(delegate.get().createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return track(delegate.get().createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return track(delegate.get().createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return track(delegate.get().createSocket(address, port, localAddress, localPort));
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.get().getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.get().getSupportedCipherSuites();
    }
}
