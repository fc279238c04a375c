package io.github.smtpscert.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A server that misbehaves at the byte level, as a broken relay or anything on the network path before STARTTLS
 * could: endless replies, endless lines, replies dripped a byte at a time. Plain TCP, or implicit TLS with a
 * certificate the client trusts. Counts every byte it got out, so tests can show the client stopped reading.
 */
public final class HostileServer implements AutoCloseable {

    /** What the server does on one connection. */
    @FunctionalInterface
    public interface Behaviour {
        void run(Conversation conversation) throws IOException, InterruptedException;
    }

    private final ServerSocket listener;
    private final SSLContext tls;
    private final Behaviour behaviour;
    private final AtomicLong bytesSent = new AtomicLong();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private HostileServer(SSLContext tls, Behaviour behaviour) throws IOException {
        this.tls = tls;
        this.behaviour = behaviour;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "hostile-server-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Plaintext from the first byte, as a STARTTLS port (or a man in the middle before STARTTLS) is. */
    public static HostileServer plain(Behaviour behaviour) throws IOException {
        return new HostileServer(null, behaviour);
    }

    /** Implicit TLS with the given server certificate; no client certificate asked for. */
    public static HostileServer implicitTls(Leaf serverLeaf, Behaviour behaviour) throws IOException {
        try {
            char[] password = "hostile".toCharArray();
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(serverLeaf.keyStore(password), password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return new HostileServer(context, behaviour);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the server's SSLContext", e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Bytes the server managed to write, on all connections. */
    public long bytesSent() {
        return bytesSent.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                open.add(socket);
                Thread connection = new Thread(() -> serve(socket), "hostile-connection");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket accepted) {
        try (Socket socket = tls == null ? accepted : layerTls(accepted)) {
            behaviour.run(new Conversation(socket));
        } catch (IOException | InterruptedException e) {
            // the client hung up: what these tests want
        } finally {
            open.remove(accepted);
        }
    }

    private Socket layerTls(Socket socket) throws IOException {
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
        ssl.setUseClientMode(false);
        ssl.startHandshake();
        return ssl;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : open) {
            socket.close();
        }
    }

    /** One connection, with the misbehaviours tests ask for. */
    public final class Conversation {
        private final InputStream in;
        private final OutputStream out;

        Conversation(Socket socket) throws IOException {
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /** Writes a line with CRLF. */
        public void reply(String line) throws IOException {
            write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }

        /** Reads one command line; null at end of stream. */
        public String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (b == '\n') {
                    return line.toString(StandardCharsets.US_ASCII).trim();
                }
                line.write(b);
            }
            return null;
        }

        /** Answers EHLO/HELO and MAIL/RCPT as a normal server would, until the given command arrives. */
        public void converseUntil(String verb) throws IOException {
            for (String line = readLine(); line != null; line = readLine()) {
                if (line.regionMatches(true, 0, verb, 0, verb.length())) {
                    return;
                }
                reply(line.regionMatches(true, 0, "EHLO", 0, 4) ? "250 hostile.test" : "250 ok");
            }
            throw new IOException("the client hung up before " + verb);
        }

        /** The same bytes again and again, at most maxBytes in all (a bound for the test, not for the client). */
        public void flood(String chunk, long maxBytes) throws IOException {
            byte[] bytes = chunk.getBytes(StandardCharsets.US_ASCII);
            for (long sent = 0; sent < maxBytes; sent += bytes.length) {
                write(bytes);
            }
        }

        /** The text one byte at a time, with a pause before each. */
        public void drip(String text, long pauseMillis) throws IOException, InterruptedException {
            for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
                Thread.sleep(pauseMillis);
                write(new byte[] { b });
            }
        }

        /** Reads until the client hangs up. */
        public void stall() throws IOException {
            while (in.read() >= 0) {
                // discard
            }
        }

        /** Reads the message content up to the final dot. */
        public void readData() throws IOException {
            for (String line = readLine(); line != null && !line.equals("."); line = readLine()) {
                // discard
            }
        }

        /**
         * Forwards to a server on this machine, passing the client's bytes at once and the server's one at a time: a
         * slow path in the middle of a TLS handshake.
         */
        public void relayDripping(int port, long pauseMillis) throws IOException, InterruptedException {
            try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), port)) {
                Thread up = new Thread(() -> {
                    try {
                        in.transferTo(upstream.getOutputStream());
                    } catch (IOException e) {
                        // either side hung up
                    }
                }, "hostile-relay-up");
                up.setDaemon(true);
                up.start();
                InputStream down = upstream.getInputStream();
                for (int b = down.read(); b >= 0; b = down.read()) {
                    Thread.sleep(pauseMillis);
                    write(new byte[] { (byte) b });
                }
            }
        }

        private void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
            bytesSent.addAndGet(bytes.length);
        }
    }
}
