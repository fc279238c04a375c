package io.github.smtpscert.internal.transport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A write that fails while connecting is reported at the next read, after what the server sent before the connection
 * broke; once connected, a failed write throws at once. The TLS-level behaviour is in RejectedClientCertificateTest.
 */
class GuardedSocketTest {

    private static final byte[] ALERT = "alert record".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EHLO = "EHLO client\r\n".getBytes(StandardCharsets.US_ASCII);

    private static Socket guard(Socket socket) {
        return new GuardedSocket(socket, new ReplyLimits(ReplyLimits.MAX_REPLY_BYTES, ReplyLimits.MAX_LINE_BYTES, 30_000,
                "stub:25"), false, closed -> { });
    }

    @AfterEach
    void notConnecting() {
        GuardedSocket.connecting(false);
    }

    @Test
    void whileConnectingAFailedWriteIsReportedAfterWhatTheServerSentBeforeIt() throws IOException {
        SocketException brokenPipe = new SocketException("Broken pipe");
        StubSocket stub = new StubSocket(ALERT, brokenPipe);
        Socket socket = guard(stub);
        GuardedSocket.connecting(true);

        socket.getOutputStream().write(EHLO);
        socket.getOutputStream().flush(); // no exception yet: the server's last words come first

        byte[] buffer = new byte[100];
        int n = socket.getInputStream().read(buffer, 0, buffer.length);
        assertEquals("alert record", new String(buffer, 0, n, StandardCharsets.US_ASCII));
        assertTrue(stub.readTimeout > 0 && stub.readTimeout <= GuardedSocket.READ_AFTER_FAILURE_MILLIS,
                "the read after the failure is bounded, was " + stub.readTimeout);
        assertSame(brokenPipe, assertThrows(SocketException.class, () -> socket.getInputStream().read(buffer)),
                "then the write's own failure, not end of stream");
        assertSame(brokenPipe, assertThrows(SocketException.class, () -> socket.getInputStream().read()));
    }

    @Test
    void whileConnectingWithNothingFromTheServerTheNextReadReportsTheFailedWrite() throws IOException {
        SocketException brokenPipe = new SocketException("Broken pipe");
        Socket socket = guard(new StubSocket(new byte[0], brokenPipe));
        GuardedSocket.connecting(true);

        socket.getOutputStream().write(EHLO);

        assertSame(brokenPipe, assertThrows(SocketException.class, () -> socket.getInputStream().read(new byte[10])));
    }

    @Test
    void onceConnectedAFailedWriteThrowsAtOnce() throws IOException {
        SocketException brokenPipe = new SocketException("Broken pipe");
        Socket socket = guard(new StubSocket(ALERT, brokenPipe));

        OutputStream out = socket.getOutputStream();
        assertSame(brokenPipe, assertThrows(SocketException.class, () -> out.write(EHLO)),
                "a failure in DATA must stay a failure in DATA");
        assertSame(brokenPipe, assertThrows(SocketException.class, () -> out.write('x')));
    }

    @Test
    void aFailureDeferredWhileConnectingIsThrownByTheFirstWriteAfterwards() throws IOException {
        SocketException brokenPipe = new SocketException("Broken pipe");
        Socket socket = guard(new StubSocket(ALERT, brokenPipe));
        GuardedSocket.connecting(true);
        socket.getOutputStream().write(EHLO);
        GuardedSocket.connecting(false);

        assertSame(brokenPipe, assertThrows(SocketException.class, () -> socket.getOutputStream().write(EHLO)));
    }

    @Test
    void timeoutsAreNeverDeferred() throws IOException {
        SocketTimeoutException timedOut = new SocketTimeoutException("Write timed out");
        Socket socket = guard(new StubSocket(ALERT, timedOut));
        GuardedSocket.connecting(true);

        assertSame(timedOut, assertThrows(SocketTimeoutException.class,
                () -> socket.getOutputStream().write(EHLO)));
    }

    /** A connection whose writes fail and whose receive buffer holds what the server sent before closing. */
    private static final class StubSocket extends Socket {
        private final InputStream in;
        private final OutputStream out;
        private int soTimeout = 30_000;
        int readTimeout;

        StubSocket(byte[] received, IOException writeFailure) {
            ByteArrayInputStream buffered = new ByteArrayInputStream(received);
            in = new InputStream() {
                @Override
                public int read() {
                    readTimeout = soTimeout;
                    return buffered.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    readTimeout = soTimeout;
                    return buffered.read(b, off, len);
                }
            };
            out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    throw writeFailure;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    throw writeFailure;
                }
            };
        }

        @Override
        public InputStream getInputStream() {
            return in;
        }

        @Override
        public OutputStream getOutputStream() {
            return out;
        }

        @Override
        public void setSoTimeout(int timeout) {
            soTimeout = timeout;
        }

        @Override
        public int getSoTimeout() {
            return soTimeout;
        }
    }
}
