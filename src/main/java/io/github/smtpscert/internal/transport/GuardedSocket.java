package io.github.smtpscert.internal.transport;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A TCP socket that bounds what the server can make us read, below Angus and JSSE, which read replies without limit
 * and whose timeout restarts with every byte. Everything the server sends between two of our writes is one reply:
 * it must stay within {@link ReplyLimits#maxReplyBytes()}, its lines within {@link ReplyLimits#maxLineBytes()} as
 * long as the connection is plaintext (before STARTTLS), and it must be complete within
 * {@link ReplyLimits#timeoutMillis()} of our last write. Breaking a limit closes the TCP connection at once, so no
 * TLS close or QUIT waits on the same server again.
 */
final class GuardedSocket extends Socket {

    /** Called once when the socket closes, for any reason. */
    interface OnClose {
        void closed(GuardedSocket socket);
    }

    private static final int TLS_HANDSHAKE_RECORD = 0x16;

    private final Socket inner;
    private final ReplyLimits limits;
    private final OnClose onClose;
    private volatile boolean plaintext;
    private long deadlineNanos;
    private int replyBytes;
    private int lineBytes;
    private int soTimeout;
    private InputStream in;
    private OutputStream out;

    /**
     * @param inner     the socket to guard, connected or not
     * @param plaintext true for a STARTTLS connection: lines are checked until the first TLS record is written
     */
    GuardedSocket(Socket inner, ReplyLimits limits, boolean plaintext, OnClose onClose) {
        this.inner = inner;
        this.limits = limits;
        this.plaintext = plaintext;
        this.onClose = onClose;
        startReply();
    }

    /** Closes the TCP connection without any goodbye: used when the endpoint stops with this send in flight. */
    void abort() {
        try {
            close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private synchronized void startReply() {
        deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.timeoutMillis());
        replyBytes = 0;
        lineBytes = 0;
    }

    private void wrote(byte[] b, int off, int len) {
        if (len > 0 && plaintext && (b[off] & 0xff) == TLS_HANDSHAKE_RECORD) {
            plaintext = false; // a ClientHello after STARTTLS: from here on the bytes are TLS records
        }
        startReply();
    }

    /** Waits no longer than the reply's deadline allows, then reads. */
    private int read(InputStream source, byte[] b, int off, int len) throws IOException {
        long remainingMillis;
        synchronized (this) {
            remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        }
        if (remainingMillis <= 0) {
            throw timedOut();
        }
        int wait = soTimeout > 0 ? (int) Math.min(remainingMillis, soTimeout) : (int) Math.min(remainingMillis, Integer.MAX_VALUE);
        inner.setSoTimeout(Math.max(1, wait));
        int n;
        try {
            n = source.read(b, off, len);
        } catch (SocketTimeoutException e) {
            throw timedOut();
        }
        if (n > 0) {
            count(b, off, n);
        }
        return n;
    }

    private synchronized void count(byte[] b, int off, int n) throws IOException {
        replyBytes += n;
        if (replyBytes > limits.maxReplyBytes()) {
            abort();
            throw new ReplyTooLongException("the server at " + limits.server() + " sent a reply of more than "
                                            + limits.maxReplyBytes() + " bytes");
        }
        if (plaintext) {
            for (int i = off; i < off + n; i++) {
                lineBytes = b[i] == '\n' ? 0 : lineBytes + 1;
                if (lineBytes > limits.maxLineBytes()) {
                    abort();
                    throw new ReplyTooLongException("the server at " + limits.server() + " sent a reply line of more than "
                                                    + limits.maxLineBytes() + " bytes");
                }
            }
        }
    }

    private SocketTimeoutException timedOut() {
        abort();
        return new SocketTimeoutException("no complete reply from " + limits.server() + " within "
                                          + limits.timeoutMillis() + " ms");
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (in == null) {
            InputStream source = inner.getInputStream();
            in = new FilterInputStream(source) {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    int n = GuardedSocket.this.read(source, one, 0, 1);
                    return n <= 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return GuardedSocket.this.read(source, b, off, len);
                }
            };
        }
        return in;
    }

    @Override
    public synchronized OutputStream getOutputStream() throws IOException {
        if (out == null) {
            OutputStream sink = inner.getOutputStream();
            out = new FilterOutputStream(sink) {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] { (byte) b }, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    sink.write(b, off, len);
                    wrote(b, off, len);
                }
            };
        }
        return out;
    }

    @Override
    public void connect(SocketAddress remote) throws IOException {
        inner.connect(remote);
        startReply(); // the greeting's deadline starts now
    }

    @Override
    public void connect(SocketAddress remote, int timeout) throws IOException {
        inner.connect(remote, timeout);
        startReply();
    }

    @Override
    public void close() throws IOException {
        try {
            inner.close();
        } finally {
            onClose.closed(this);
        }
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        soTimeout = timeout;
        inner.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() {
        return soTimeout;
    }

    // --- everything else as the inner socket has it ---

    @Override
    public void bind(SocketAddress local) throws IOException {
        inner.bind(local);
    }

    @Override
    public InetAddress getInetAddress() {
        return inner.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return inner.getLocalAddress();
    }

    @Override
    public int getPort() {
        return inner.getPort();
    }

    @Override
    public int getLocalPort() {
        return inner.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return inner.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return inner.getLocalSocketAddress();
    }

    @Override
    public SocketChannel getChannel() {
        return null; // reads must go through the guarded stream
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        inner.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return inner.getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        inner.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return inner.getSoLinger();
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        inner.sendUrgentData(data);
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        inner.setOOBInline(on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return inner.getOOBInline();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        inner.setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return inner.getSendBufferSize();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        inner.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return inner.getReceiveBufferSize();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        inner.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return inner.getKeepAlive();
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        inner.setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return inner.getTrafficClass();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        inner.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return inner.getReuseAddress();
    }

    @Override
    public void shutdownInput() throws IOException {
        inner.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        inner.shutdownOutput();
    }

    @Override
    public boolean isConnected() {
        return inner.isConnected();
    }

    @Override
    public boolean isBound() {
        return inner.isBound();
    }

    @Override
    public boolean isClosed() {
        return inner.isClosed();
    }

    @Override
    public boolean isInputShutdown() {
        return inner.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return inner.isOutputShutdown();
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        inner.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return inner.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return inner.supportedOptions();
    }

    @Override
    public String toString() {
        return "GuardedSocket[" + inner + "]";
    }
}
