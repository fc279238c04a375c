package io.github.smtpscert.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scripted SMTPS test server (implicit TLS, or STARTTLS with {@link #startTls}; client certificate required) that can
 * misbehave on purpose: refuse the handshake, close the connection, answer with an error code or stop answering at any
 * step of the SMTP dialogue.
 * It speaks only the few commands Angus Mail sends and keeps every accepted message, so tests can count by
 * Message-ID or Subject that nothing was lost or duplicated.
 * <p>
 * A fault at {@link Step#END_OF_DATA} that closes or stalls stores the message first: the worst case for the client,
 * where the server took the message but the reply never arrived.
 */
public final class FaultySmtpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FaultySmtpServer.class);
    private static final char[] KEY_PASSWORD = "server".toCharArray();
    private static final Pattern RCPT_CODE = Pattern.compile("<reject-(\\d{3})[^>]*>");
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** Where in the dialogue a fault strikes. */
    public enum Step {
        HANDSHAKE, GREETING, EHLO,
        /** The reply to STARTTLS ({@link #startTls} servers only). */
        STARTTLS,
        MAIL, RCPT, DATA,
        /** After the DATA command was accepted and part of the content arrived. */
        MID_DATA,
        /** After the final dot, before the reply. */
        END_OF_DATA
    }

    /**
     * What happens at the step. {@link Kind#REFUSE} only applies to the handshake, {@link Kind#NO_TLS} only to
     * STARTTLS.
     */
    public record Fault(Kind kind, int code, String text) {
        public enum Kind { CLOSE, REPLY, STALL, REFUSE, NO_TLS }

        public static Fault close() {
            return new Fault(Kind.CLOSE, 0, null);
        }

        public static Fault reply(int code) {
            return new Fault(Kind.REPLY, code, null);
        }

        /** A reply with this text after the code, such as "4.7.1 Client certificate not trusted". */
        public static Fault reply(int code, String text) {
            return new Fault(Kind.REPLY, code, text);
        }

        public static Fault stall() {
            return new Fault(Kind.STALL, 0, null);
        }

        public static Fault refuse() {
            return new Fault(Kind.REFUSE, 0, null);
        }

        /** Answers STARTTLS with 220, then never starts TLS: answers the client's handshake bytes in plaintext. */
        public static Fault noTls() {
            return new Fault(Kind.NO_TLS, 0, null);
        }

        @Override
        public String toString() {
            return kind == Kind.REPLY ? "reply " + code : kind.name().toLowerCase(Locale.ROOT);
        }
    }

    /** Decides per step whether to misbehave; null means behave. Called from connection threads. */
    @FunctionalInterface
    public interface Script {
        Fault at(Step step);
    }

    /** One accepted message. */
    public record Stored(int connectionId, String messageId, String subject, byte[] data) {
    }

    private final SSLContext context;
    private final boolean implicitTls;
    private final InetAddress address = InetAddress.getLoopbackAddress();
    private final int port;
    private final List<Stored> stored = new CopyOnWriteArrayList<>();
    private final Map<Step, Deque<Fault>> once = new EnumMap<>(Step.class);
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Script script = step -> null;
    private volatile ServerSocket serverSocket;
    private volatile Thread acceptor;

    /** Implicit TLS from the first byte, as on port 465. */
    public FaultySmtpServer(TestPki pki, Leaf serverLeaf) {
        this(pki, serverLeaf, true);
    }

    /**
     * Plaintext greeting, STARTTLS advertised and required before any mail command, as on port 587. The TLS handshake
     * after STARTTLS counts as {@link Step#HANDSHAKE}.
     */
    public static FaultySmtpServer startTls(TestPki pki, Leaf serverLeaf) {
        return new FaultySmtpServer(pki, serverLeaf, false);
    }

    private FaultySmtpServer(TestPki pki, Leaf serverLeaf, boolean implicitTls) {
        this.implicitTls = implicitTls;
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(serverLeaf.keyStore(KEY_PASSWORD), KEY_PASSWORD);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(pki.trustStore());
            context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the server's SSLContext", e);
        }
        port = listen(0);
    }

    public int port() {
        return port;
    }

    /** The next time the step is reached (on any connection), apply the fault. Queued faults apply in order. */
    public synchronized void failNext(Step step, Fault fault) {
        once.computeIfAbsent(step, s -> new ArrayDeque<>()).add(fault);
    }

    /** Faults decided by a function, for random runs; one-shot faults from {@link #failNext} take precedence. */
    public void script(Script script) {
        this.script = script;
    }

    public List<Stored> stored() {
        return List.copyOf(stored);
    }

    /** How many times a message with this Subject was stored. */
    public long countSubject(String subject) {
        return stored.stream().filter(s -> subject.equals(s.subject())).count();
    }

    public long countMessageId(String messageId) {
        return stored.stream().filter(s -> messageId.equals(s.messageId())).count();
    }

    /** TCP connections accepted so far. */
    public int connectionCount() {
        return connections.get();
    }

    public int openConnections() {
        return open.size();
    }

    /** Drops every connection and the listening socket, then listens again on the same port: a server restart. */
    public void restart() {
        stopListening();
        listen(port);
    }

    /** Server-side close of every open connection, as an MTA dropping idle clients; the server keeps listening. */
    public void closeAllConnections() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    @Override
    public void close() {
        stopListening();
    }

    private synchronized Fault faultAt(Step step) {
        Deque<Fault> queued = once.get(step);
        if (queued != null && !queued.isEmpty()) {
            return queued.poll();
        }
        return script.at(step);
    }

    private int listen(int onPort) {
        try {
            ServerSocket socket;
            if (implicitTls) {
                SSLServerSocket ssl = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
                ssl.setNeedClientAuth(true);
                ssl.setEnabledProtocols(PROTOCOLS);
                socket = ssl;
            } else {
                socket = new ServerSocket();
            }
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, onPort));
            serverSocket = socket;
            Thread thread = new Thread(() -> acceptLoop(socket), "faulty-smtp-accept-" + socket.getLocalPort());
            thread.setDaemon(true);
            thread.start();
            acceptor = thread;
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on port " + onPort, e);
        }
    }

    private void stopListening() {
        closeQuietly(serverSocket);
        Thread thread = acceptor;
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeAllConnections();
    }

    private void acceptLoop(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                int id = connections.incrementAndGet();
                open.add(socket);
                Thread thread = new Thread(() -> serve(id, socket), "faulty-smtp-conn-" + id);
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.warn("accept failed", e);
                }
            }
        }
    }

    private void serve(int id, Socket socket) {
        try (socket) {
            if (socket instanceof SSLSocket ssl && !handshake(id, ssl)) {
                return;
            }
            new Dialogue(id, socket).run();
        } catch (IOException e) {
            LOG.debug("connection {} ended: {}", id, e.toString());
        } finally {
            open.remove(socket);
        }
    }

    /** The server's side of the TLS handshake, unless a fault says to close first; false if it closed. */
    private boolean handshake(int id, SSLSocket socket) throws IOException {
        Fault handshake = faultAt(Step.HANDSHAKE);
        if (handshake != null) {
            LOG.debug("connection {}: {} at handshake", id, handshake);
            return false; // closing before the server's first handshake message
        }
        socket.startHandshake(); // refuses an untrusted client certificate with an alert, and closes
        return true;
    }

    private enum Outcome { NORMAL, REFUSED, CLOSED }

    /** The SMTP side of one connection. */
    private final class Dialogue {
        private final int id;
        private final Socket socket;
        private InputStream in;
        private OutputStream out;
        private boolean tls;
        private boolean hasRecipient;

        Dialogue(int id, Socket socket) throws IOException {
            this.id = id;
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.tls = socket instanceof SSLSocket;
        }

        void run() throws IOException {
            if (step(Step.GREETING, "220 faulty.test ESMTP ready") == Outcome.CLOSED) {
                return;
            }
            while (true) {
                String line = readLine();
                if (line == null) {
                    return;
                }
                String verb = (line.length() >= 4 ? line.substring(0, 4) : line).toUpperCase(Locale.ROOT);
                if (!tls && !List.of("EHLO", "HELO", "STAR", "NOOP", "RSET", "QUIT").contains(verb)) {
                    write("530 5.7.0 Must issue a STARTTLS command first");
                    continue;
                }
                switch (verb) {
                    case "EHLO", "HELO" -> {
                        String reply = "250-faulty.test\r\n250-8BITMIME\r\n" + (tls ? "" : "250-STARTTLS\r\n")
                                       + "250 SIZE 100000000";
                        if (step(Step.EHLO, reply) == Outcome.CLOSED) {
                            return;
                        }
                    }
                    case "STAR" -> {
                        if (tls) {
                            write("503 5.5.1 TLS already active");
                        } else {
                            Outcome outcome = step(Step.STARTTLS, "220 2.0.0 ready to start TLS");
                            if (outcome == Outcome.CLOSED || outcome == Outcome.NORMAL && !startTls()) {
                                return;
                            }
                        }
                    }
                    case "MAIL" -> {
                        hasRecipient = false;
                        if (step(Step.MAIL, "250 2.1.0 ok") == Outcome.CLOSED) {
                            return;
                        }
                    }
                    case "RCPT" -> {
                        Matcher m = RCPT_CODE.matcher(line);
                        String reply = m.find() ? m.group(1) + " recipient refused by script" : "250 2.1.5 ok";
                        Outcome outcome = step(Step.RCPT, reply);
                        if (outcome == Outcome.CLOSED) {
                            return;
                        }
                        hasRecipient |= outcome == Outcome.NORMAL && reply.startsWith("250");
                    }
                    case "DATA" -> {
                        if (!hasRecipient) {
                            write("503 5.5.1 no valid recipients");
                        } else {
                            Outcome outcome = step(Step.DATA, "354 go ahead");
                            if (outcome == Outcome.CLOSED || outcome == Outcome.NORMAL && !receiveData()) {
                                return;
                            }
                        }
                    }
                    case "RSET" -> {
                        hasRecipient = false;
                        write("250 2.0.0 ok");
                    }
                    case "NOOP" -> write("250 2.0.0 ok");
                    case "QUIT" -> {
                        write("221 2.0.0 bye");
                        return;
                    }
                    default -> write("502 5.5.2 not implemented");
                }
            }
        }

        /** After the 220 to STARTTLS: the TLS handshake over the same TCP connection; false if it closed. */
        private boolean startTls() throws IOException {
            SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
            ssl.setUseClientMode(false);
            ssl.setNeedClientAuth(true);
            ssl.setEnabledProtocols(PROTOCOLS);
            if (!handshake(id, ssl)) {
                return false;
            }
            in = ssl.getInputStream();
            out = ssl.getOutputStream();
            tls = true;
            return true;
        }

        /** Reads the content up to the final dot, then stores and answers unless a fault says otherwise. */
        private boolean receiveData() throws IOException {
            Fault midData = faultAt(Step.MID_DATA);
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            int lines = 0;
            while (true) {
                String line = readLine();
                if (line == null) {
                    return false;
                }
                if (midData != null && ++lines == 3) {
                    LOG.debug("connection {}: {} in the middle of DATA", id, midData);
                    return misbehave(midData) != Outcome.CLOSED;
                }
                if (line.equals(".")) {
                    break;
                }
                data.writeBytes((line.startsWith(".") ? line.substring(1) : line).getBytes(StandardCharsets.ISO_8859_1));
                data.writeBytes(new byte[] {'\r', '\n'});
            }
            hasRecipient = false;
            Fault fault = faultAt(Step.END_OF_DATA);
            if (fault == null || fault.kind() != Fault.Kind.REPLY) {
                store(data.toByteArray());
            }
            if (fault == null) {
                write("250 2.0.0 queued");
                return true;
            }
            LOG.debug("connection {}: {} at end of data", id, fault);
            return misbehave(fault) != Outcome.CLOSED;
        }

        /** Answers the step normally, or applies its fault. */
        private Outcome step(Step step, String normalReply) throws IOException {
            Fault fault = faultAt(step);
            if (fault == null) {
                write(normalReply);
                return Outcome.NORMAL;
            }
            LOG.debug("connection {}: {} at {}", id, fault, step);
            return misbehave(fault);
        }

        private Outcome misbehave(Fault fault) throws IOException {
            switch (fault.kind()) {
                case REPLY -> {
                    write(fault.code() + " " + (fault.text() != null ? fault.text()
                            : (fault.code() / 100 == 4 ? "4.0.0" : "5.0.0") + " scripted failure"));
                    // 421 means the server closes the connection
                    return fault.code() == 421 ? Outcome.CLOSED : Outcome.REFUSED;
                }
                case STALL -> {
                    // say nothing until the client gives up and closes, or the server is stopped
                    try {
                        while (in.read() >= 0) {
                            // discard
                        }
                    } catch (SocketException e) {
                        // closed by close()/restart()
                    }
                    return Outcome.CLOSED;
                }
                case NO_TLS -> {
                    // a broken server or middlebox: says yes to STARTTLS, then takes the client's handshake for a
                    // command
                    write("220 2.0.0 ready to start TLS");
                    if (in.read(new byte[4096]) > 0) {
                        write("500 5.5.2 syntax error, command unrecognized");
                    }
                    return Outcome.CLOSED;
                }
                default -> {
                    return Outcome.CLOSED;
                }
            }
        }

        private void store(byte[] data) {
            String text = new String(data, StandardCharsets.ISO_8859_1);
            stored.add(new Stored(id, header(text, "Message-ID"), header(text, "Subject"), data));
        }

        private void write(String reply) throws IOException {
            out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** One CRLF-terminated line as ISO-8859-1 text (bytes preserved), or null at end of stream. */
        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
            }
            return null;
        }
    }

    /** The unfolded value of the first header with this name, or null. */
    static String header(String message, String name) {
        String prefix = name.toLowerCase(Locale.ROOT) + ":";
        List<String> lines = new ArrayList<>(List.of(message.split("\r\n", -1)));
        for (int i = 0; i < lines.size() && !lines.get(i).isEmpty(); i++) {
            if (lines.get(i).toLowerCase(Locale.ROOT).startsWith(prefix)) {
                StringBuilder value = new StringBuilder(lines.get(i).substring(prefix.length()).trim());
                for (int j = i + 1; j < lines.size() && (lines.get(j).startsWith(" ") || lines.get(j).startsWith("\t")); j++) {
                    value.append(' ').append(lines.get(j).trim());
                }
                return value.toString();
            }
        }
        return null;
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException e) {
            // going away either way
        }
    }
}
