package io.github.smtpscert.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plaintext half of an SMTP STARTTLS server in front of a TLS-only server such as {@link OpensslServer}: greets,
 * answers EHLO with STARTTLS, answers STARTTLS with 220, and from then on relays bytes both ways between the client
 * and the TLS server, so the TLS handshake, its alerts and its close are the TLS server's. When either side closes,
 * both connections close.
 */
public final class StartTlsFront implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StartTlsFront.class);

    private final int tlsPort;
    private final ServerSocket listener;

    public StartTlsFront(int tlsPort) {
        this.tlsPort = tlsPort;
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen", e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "starttls-front-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // going away either way
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Thread thread = new Thread(() -> serve(client), "starttls-front-conn");
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    LOG.warn("accept failed", e);
                }
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setTcpNoDelay(true);
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            write(out, "220 front.test ESMTP");
            String line;
            while ((line = readLine(in)) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line;
                switch (verb) {
                    case "EHLO", "HELO" -> write(out, "250-front.test\r\n250 STARTTLS");
                    case "STAR" -> {
                        write(out, "220 2.0.0 ready to start TLS");
                        relay(client);
                        return;
                    }
                    case "QUIT" -> {
                        write(out, "221 2.0.0 bye");
                        return;
                    }
                    default -> write(out, "530 5.7.0 Must issue a STARTTLS command first");
                }
            }
        } catch (IOException e) {
            LOG.debug("front connection ended: {}", e.toString());
        }
    }

    private void relay(Socket client) throws IOException {
        try (Socket server = new Socket()) {
            server.setTcpNoDelay(true);
            server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), tlsPort));
            Thread up = new Thread(() -> pump(client, server), "starttls-front-up");
            up.setDaemon(true);
            up.start();
            pump(server, client);
        }
    }

    /** Copies until end of stream or an error, then closes both sockets. */
    private static void pump(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            LOG.debug("relay ended: {}", e.toString());
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // going away either way
        }
    }

    private static void write(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return null;
    }
}
