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
 * <p>
 * While this thread is connecting ({@link #connecting}), a write that fails is reported at the next read instead,
 * once what the server sent before the connection broke has been read. With TLS 1.3 the server checks the client
 * certificate after the client's last handshake message, so the client may still be writing (its Finished, or EHLO
 * after STARTTLS) when the server sends its alert and closes; a server that closes with our records unread (JSSE does)
 * makes its TCP stack answer with a reset, and our next write fails with the alert unread in the receive buffer. JSSE
 * and Angus both close the connection as soon as a write fails, discarding the alert; reading first lets JSSE report
 * the refusal it is. Every command written while connecting is followed by reading its reply, so no failure is lost.
 * Once connected, writes fail at once: a failure in DATA must stay a failure in DATA.
 */
final class GuardedSocket extends Socket {

    /** Called once when the socket closes, for any reason. */
    interface OnClose {
        void closed(GuardedSocket socket);
    }

    private static final int TLS_HANDSHAKE_RECORD = 0x16;
    /** How long the read after a failed write may wait: what the server sent is already here when the write failed. */
    static final int READ_AFTER_FAILURE_MILLIS = 1000;
    private static final ThreadLocal<Boolean> CONNECTING = new ThreadLocal<>();

    private final Socket inner;
    private final ReplyLimits limits;
    private final OnClose onClose;
    private volatile boolean plaintext;
    private long deadlineNanos;
    private int replyBytes;
    private int lineBytes;
    private int soTimeout;
    private volatile IOException failedWrite;
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

    /** Marks this thread as connecting (true) or done (false): only while connecting are failed writes deferred. */
    static void connecting(boolean connecting) {
        if (connecting) {
            CONNECTING.set(Boolean.TRUE);
        } else {
            CONNECTING.remove();
        }
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

    /** Writes, or while connecting keeps a failure for the next read. */
    private void write(OutputStream sink, byte[] b, int off, int len) throws IOException {
        if (deferredFailure()) {
            return;
        }
        try {
            sink.write(b, off, len);
        } catch (IOException e) {
            defer(e);
            return;
        }
        wrote(b, off, len);
    }

    private void flush(OutputStream sink) throws IOException {
        if (!deferredFailure()) {
            try {
                sink.flush();
            } catch (IOException e) {
                defer(e);
            }
        }
    }

    /** True if a write already failed and is kept for the next read; once connected, throws it instead. */
    private boolean deferredFailure() throws IOException {
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

    /** Waits no longer than the reply's deadline allows (after a failed write: briefly), then reads. */
    private int read(InputStream source, byte[] b, int off, int len) throws IOException {
        IOException failed = failedWrite;
        long remainingMillis;
        synchronized (this) {
            remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        }
        if (remainingMillis <= 0) {
            throw failed != null ? failed : timedOut();
        }
        long wait = soTimeout > 0 ? Math.min(remainingMillis, soTimeout) : remainingMillis;
        if (failed != null) {
            wait = Math.min(wait, READ_AFTER_FAILURE_MILLIS);
        }
        inner.setSoTimeout((int) Math.max(1, Math.min(wait, Integer.MAX_VALUE)));
        int n;
        try {
            n = source.read(b, off, len);
        } catch (SocketTimeoutException e) {
            throw failed != null ? failed : timedOut();
        } catch (IOException e) {
            if (failed == null) {
                throw e;
            }
            if (failed.getSuppressed().length == 0) {
                failed.addSuppressed(e);
            }
            throw failed;
        }
        if (n > 0) {
            count(b, off, n);
        } else if (failed != null) {
            throw failed; // the server's last words were read: now the write's own failure, not end of stream
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
                    GuardedSocket.this.write(sink, b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    GuardedSocket.this.flush(sink);
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
