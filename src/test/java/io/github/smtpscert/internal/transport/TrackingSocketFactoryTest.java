package io.github.smtpscert.internal.transport;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import javax.net.ssl.SSLSocketFactory;

import io.github.smtpscert.internal.tls.Identity;
import io.github.smtpscert.internal.tls.SslContexts;
import io.github.smtpscert.internal.tls.TlsPolicy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sockets leave with Nagle off: the handshake writes small records back to back, and with Nagle on the second one
 * waits for the server's delayed ACK (about 40 ms per connection on Linux, measured against Postfix).
 */
class TrackingSocketFactoryTest {

    private final SSLSocketFactory factory = new TrackingSocketFactory(
            () -> new SslContexts("localhost:465", null, true, 10, 60).newContext(Identity.ANONYMOUS), true, TlsPolicy.of(null, null),
            socket -> socket);

    @Test
    void implicitTlsSocketHasNagleOff() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket unconnected = factory.createSocket();
             Socket connected = factory.createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            assertTrue(unconnected.getTcpNoDelay(), "socket Angus connects itself (connectiontimeout set)");
            assertTrue(connected.getTcpNoDelay(), "socket connected by the factory");
        } finally {
            TrackingSocketFactory.takeLastSocket();
        }
    }

    @Test
    void startTlsLayerTurnsNagleOffOnThePlainSocketBelow() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket layered = factory.createSocket(plain, "localhost", server.getLocalPort(), true)) {
            assertTrue(plain.getTcpNoDelay());
            assertTrue(layered.getTcpNoDelay());
        } finally {
            TrackingSocketFactory.takeLastSocket();
        }
    }
}
