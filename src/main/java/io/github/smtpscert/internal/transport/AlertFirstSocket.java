package io.github.smtpscert.internal.transport;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * The TCP connection under a TLS socket. While this thread is connecting (see {@link #connecting}), a write that fails
 * is reported at the next read instead, once what the server sent before the connection broke has been read: so a TLS
 * alert refusing the client certificate reaches JSSE, and the user, instead of a "Broken pipe".
 * <p>
 * With TLS 1.3 the server checks the client certificate after the client has sent its last handshake message, so the
 * client may still be writing (its Finished, or EHLO after STARTTLS) when the server sends the alert and closes. A
 * server that closes with the client's records unread (JSSE does) makes its TCP stack answer with a reset, and the
 * client's next write fails while the alert waits, unread, in the receive buffer. JSSE closes the connection as soon as
 * a write fails during the handshake, and Angus as soon as a command fails, and either discards the alert; only a read
 * before the write failure is reported can find it. Every command Angus writes while connecting is followed by reading
 * its reply, so a failed write is never lost.
 * <p>
 * Once connected (the SMTP transaction, a pooled connection's NOOP), writes fail at once as usual: a failure in DATA
 * must stay a failure in DATA.
 */
final class AlertFirstSocket extends Socket {

    /** How long the read after a failed write may wait. What the server sent is already here when the write failed. */
    static final int READ_AFTER_FAILURE_MILLIS = 1000;

    private static final ThreadLocal<Boolean> CONNECTING = new ThreadLocal<>();

    private final Socket delegate;
    private final InputStream in;
    private final OutputStream out;
    private volatile IOException failedWrite;

    private AlertFirstSocket(Socket delegate) throws IOException {
        this.delegate = delegate;
        this.in = new FilterInputStream(delegate.getInputStream()) {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n <= 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                IOException failed = failedWrite;
                return failed == null ? super.read(buffer, offset, length)
                        : readAfterFailure(failed, buffer, offset, length);
            }
        };
        this.out = new FilterOutputStream(delegate.getOutputStream()) {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                if (!failed()) {
                    try {
                        super.out.write(buffer, offset, length);
                    } catch (IOException e) {
                        defer(e);
                    }
                }
            }

            @Override
            public void flush() throws IOException {
                if (!failed()) {
                    try {
                        super.out.flush();
                    } catch (IOException e) {
                        defer(e);
                    }
                }
            }

            @Override
            public void close() throws IOException {
                super.out.close();
            }
        };
    }

    /** The socket Angus connected, to lay TLS over. */
    static Socket wrap(Socket socket) throws IOException {
        return socket instanceof AlertFirstSocket ? socket : new AlertFirstSocket(socket);
    }

    /** Marks this thread as connecting (true) or done (false): only while connecting are failed writes deferred. */
    static void connecting(boolean connecting) {
        if (connecting) {
            CONNECTING.set(Boolean.TRUE);
        } else {
            CONNECTING.remove();
        }
    }

    /** True if a write already failed and is deferred; once connected, throws it instead. */
    private boolean failed() throws IOException {
        IOException failed = failedWrite;
        if (failed != null && CONNECTING.get() == null) {
            throw failed;
        }
        return failed != null;
    }

    private void defer(IOException e) throws IOException {
        if (CONNECTING.get() == null || e instanceof InterruptedIOException) {
            throw e;
        }
        failedWrite = e;
    }

    /** What arrived before the connection broke, if anything; then the failed write. */
    private int readAfterFailure(IOException failed, byte[] buffer, int offset, int length) throws IOException {
        int timeout = delegate.getSoTimeout();
        try {
            delegate.setSoTimeout(timeout > 0 ? Math.min(timeout, READ_AFTER_FAILURE_MILLIS)
                    : READ_AFTER_FAILURE_MILLIS);
            int n = delegate.getInputStream().read(buffer, offset, length);
            if (n > 0) {
                return n;
            }
        } catch (IOException e) {
            if (failed.getSuppressed().length == 0) {
                failed.addSuppressed(e);
            }
        } finally {
            try {
                delegate.setSoTimeout(timeout);
            } catch (SocketException e) {
                // closed meanwhile
            }
        }
        throw failed;
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    // --- everything else is the delegate's ---

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        delegate.connect(endpoint);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        delegate.connect(endpoint, timeout);
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        delegate.bind(bindpoint);
    }

    @Override
    public InetAddress getInetAddress() {
        return delegate.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return delegate.getLocalAddress();
    }

    @Override
    public int getPort() {
        return delegate.getPort();
    }

    @Override
    public int getLocalPort() {
        return delegate.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return delegate.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return delegate.getLocalSocketAddress();
    }

    @Override
    public SocketChannel getChannel() {
        return delegate.getChannel();
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        delegate.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return delegate.getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        delegate.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return delegate.getSoLinger();
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        delegate.sendUrgentData(data);
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        delegate.setOOBInline(on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return delegate.getOOBInline();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        delegate.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return delegate.getSoTimeout();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        delegate.setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return delegate.getSendBufferSize();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        delegate.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return delegate.getReceiveBufferSize();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        delegate.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return delegate.getKeepAlive();
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        delegate.setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return delegate.getTrafficClass();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        delegate.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return delegate.getReuseAddress();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        delegate.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        delegate.shutdownOutput();
    }

    @Override
    public boolean isConnected() {
        return delegate.isConnected();
    }

    @Override
    public boolean isBound() {
        return delegate.isBound();
    }

    @Override
    public boolean isClosed() {
        return delegate.isClosed();
    }

    @Override
    public boolean isInputShutdown() {
        return delegate.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return delegate.isOutputShutdown();
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        delegate.setPerformancePreferences(connectionTime, latency, bandwidth);
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        delegate.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return delegate.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return delegate.supportedOptions();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
