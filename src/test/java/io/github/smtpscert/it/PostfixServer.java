package io.github.smtpscert.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.security.auth.x500.X500Principal;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The local Postfix that {@code .ci/postfix-setup.sh} configures (465 implicit TLS and 587 STARTTLS, both requiring
 * a verified client certificate), described by the {@code postfix-it.properties} the script writes, and the Maildir
 * it delivers to.
 * <p>
 * Without that file the calling test is skipped, visibly. Under CI (CI=true) .ci/run has run the script, so a
 * missing file is a broken build rather than a reason to skip.
 */
final class PostfixServer {

    static final String NOT_SET_UP = "Postfix not set up: run .ci/postfix-setup.sh (skipping Postfix integration tests)";
    private static final long DELIVERY_TIMEOUT_MILLIS = 30_000;
    private static final long POLL_MILLIS = 100;
    /** In Postfix's Received header: {@code (Client CN "alice", Issuer "smtpscert Client Intermediate CA" (verified OK))}. */
    private static final Pattern RECEIVED_CLIENT = Pattern.compile(
            "\\(Client CN \"([^\"]*)\", Issuer \"([^\"]*)\" \\((verified OK|not verified)\\)\\)");

    private static boolean skipReported;

    private final Properties props;
    private final Path maildirNew;
    private final Path maildirCur;

    private PostfixServer(Properties props) {
        this.props = props;
        Path maildir = Path.of(property("maildir"));
        this.maildirNew = maildir.resolve("new");
        this.maildirCur = maildir.resolve("cur");
    }

    /** The configured server, or the test is skipped (failed under CI) when the setup script has not run. */
    static PostfixServer require() {
        String dir = System.getenv().getOrDefault("SMTPSCERT_POSTFIX_DIR", "/tmp/smtpscert-postfix");
        Path file = Path.of(dir, "postfix-it.properties");
        if (!Files.isReadable(file)) {
            if (!skipReported) {
                skipReported = true;
                System.err.println(NOT_SET_UP + " [looked for " + file + "]");
            }
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("Postfix not set up although CI=true: " + file + " is missing. "
                                + "Fix: run .ci/postfix-setup.sh before the tests (.ci/run does)");
            }
            Assumptions.assumeTrue(false, NOT_SET_UP);
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return new PostfixServer(props);
    }

    String host() {
        return property("host");
    }

    int smtpsPort() {
        return Integer.parseInt(property("smtpsPort"));
    }

    int submissionPort() {
        return Integer.parseInt(property("submissionPort"));
    }

    String recipient() {
        return property("recipient");
    }

    String trustStore() {
        return property("trustStore");
    }

    String trustStorePassword() {
        return property("trustStorePassword");
    }

    String trustPem() {
        return property("trustPem");
    }

    /** alice and bob are issued by the CA Postfix trusts; mallory by one it does not. */
    Client client(String name) {
        return new Client(name, property(name + ".keyStore"), property(name + ".keyStorePassword"),
                property(name + ".certificateFile"), property(name + ".privateKeyFile"));
    }

    record Client(String name, String keyStore, String keyStorePassword, String certificateFile, String privateKeyFile) {
    }

    /**
     * A PEM-only identity of CertificateRotationIT: rotation-1 to rotation-6 and rollover-a1 are issued by the client
     * CA Postfix trusts, rollover-b1 by client CA B (see {@link #switchClientCas(Path)}). The name is the CN.
     */
    PemClient pemClient(String name) {
        return new PemClient(name, Path.of(property(name + ".certificateFile")),
                Path.of(property(name + ".privateKeyFile")));
    }

    record PemClient(String name, Path certificateFile, Path privateKeyFile) {
    }

    // --- the client CAs Postfix trusts (CertificateRotationIT) ---

    /** The client CA bundle Postfix trusts after .ci/postfix-setup.sh: root and intermediate ("CA A"). */
    Path clientCaBundle() {
        return Path.of(property("clientCaBundle"));
    }

    /** Client CA B, which Postfix trusts only while a test has switched to it. */
    Path clientCaB() {
        return Path.of(property("clientCaB"));
    }

    /**
     * Whether this process may switch Postfix's client CA file and reload Postfix (it must write the file and run
     * {@code postfix reload}: root, as in CI).
     */
    boolean canSwitchClientCas() {
        return Files.isWritable(Path.of(property("smtpdClientCaFile")))
               && "root".equals(System.getProperty("user.name"));
    }

    /**
     * Makes the smtps and submission services trust exactly the CAs in {@code pem}: replaces the content of the
     * {@code smtpd_tls_CAfile} they read (atomically, by rename) and runs {@code postfix reload}. Postfix reads the
     * file when an smtpd process starts; the reload makes the running ones exit when their current client is done,
     * so new connections soon get processes that read the new file; {@link #awaitAcceptableClientCas} tells when.
     */
    void switchClientCas(Path pem) throws IOException, InterruptedException {
        Path target = Path.of(property("smtpdClientCaFile"));
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.copy(pem, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        reload();
    }

    /** Whether Postfix's client CA file has the content it has after .ci/postfix-setup.sh. */
    boolean clientCasAreTheOriginal() throws IOException {
        return Arrays.equals(Files.readAllBytes(Path.of(property("smtpdClientCaFile"))),
                Files.readAllBytes(clientCaBundle()));
    }

    /** Runs {@code postfix reload}; fails with its output if it does not succeed within 30 s. */
    void reload() throws IOException, InterruptedException {
        String postfix = Files.isExecutable(Path.of("/usr/sbin/postfix")) ? "/usr/sbin/postfix" : "postfix";
        Process process = new ProcessBuilder(postfix, "reload").redirectErrorStream(true).start();
        boolean done = process.waitFor(30, TimeUnit.SECONDS);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!done || process.exitValue() != 0) {
            process.destroyForcibly();
            Assertions.fail("'" + postfix + " reload' failed" + (done ? " (exit " + process.exitValue() + ")" : " (timeout)")
                            + ": " + output);
        }
    }

    /** The subjects of the certificates in a PEM file, in file order. */
    static Set<X500Principal> subjects(Path pem) throws IOException, GeneralSecurityException {
        Set<X500Principal> subjects = new LinkedHashSet<>();
        try (InputStream in = Files.newInputStream(pem)) {
            for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                subjects.add(((X509Certificate) certificate).getSubjectX500Principal());
            }
        }
        return subjects;
    }

    /**
     * The CA names Postfix's smtps port (465) sends in its certificate request now, as the JDK hands them to a key
     * manager: one fresh TLS handshake (no session to resume) that presents no certificate, so Postfix then refuses
     * the session, which does not matter here.
     */
    Set<X500Principal> acceptableClientCas() throws IOException, GeneralSecurityException {
        AtomicReference<Principal[]> seen = new AtomicReference<>();
        KeyManager recorder = new X509ExtendedKeyManager() {
            @Override
            public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
                seen.set(issuers == null ? new Principal[0] : issuers.clone());
                return null; // no certificate
            }

            @Override
            public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
                return chooseClientAlias(keyTypes, issuers, null);
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return null;
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return null;
            }
        };
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(trustStore()))) {
            trust.load(in, trustStorePassword().toCharArray());
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(new KeyManager[] {recorder}, trustManagers.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(host(), smtpsPort())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
        }
        Principal[] issuers = seen.get();
        if (issuers == null) {
            throw new IllegalStateException("Postfix on " + host() + ":" + smtpsPort() + " did not request a client certificate");
        }
        Set<X500Principal> names = new LinkedHashSet<>();
        for (Principal issuer : issuers) {
            names.add(new X500Principal(issuer.getName()));
        }
        return names;
    }

    /**
     * Waits until {@code times} fresh handshakes in a row get exactly {@code expected} as the acceptable client CAs,
     * i.e. until new connections are served by smtpd processes that read the current CA file; fails after
     * {@code timeoutMillis}.
     */
    void awaitAcceptableClientCas(Set<X500Principal> expected, int times, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        Set<X500Principal> last = null;
        int inARow = 0;
        while (inARow < times) {
            last = acceptableClientCas();
            inARow = last.equals(expected) ? inARow + 1 : 0;
            if (inARow < times) {
                if (System.currentTimeMillis() > deadline) {
                    Assertions.fail("Postfix still requests client certificates from " + last + " after "
                                    + timeoutMillis + " ms, expected " + expected + " (see " + props.getProperty("postfixLog")
                                    + ")");
                }
                Thread.sleep(POLL_MILLIS);
            }
        }
    }

    // --- the Received header ---

    /** The client certificate Postfix recorded in its Received header (smtpd_tls_received_header = yes). */
    record ReceivedClient(String cn, String issuer, boolean verified) {
    }

    /**
     * The client certificate in the first (Postfix's own) Received header of a delivered message, or null when that
     * header names none.
     */
    static ReceivedClient receivedClient(MimeMessage message) throws MessagingException {
        String[] received = message.getHeader("Received");
        if (received == null || received.length == 0) {
            return null;
        }
        Matcher m = RECEIVED_CLIENT.matcher(received[0].replaceAll("\\s+", " "));
        return m.find() ? new ReceivedClient(m.group(1), m.group(2), "verified OK".equals(m.group(3))) : null;
    }

    /** Removes every delivered message, so each test sees only its own mail. */
    void clearMaildir() throws IOException {
        for (Path dir : List.of(maildirNew, maildirCur)) {
            for (Path file : files(dir)) {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * Waits until {@code count} messages whose subject contains {@code subjectMarker} are in the Maildir and returns
     * them; fails after 30 s with what did arrive.
     */
    List<MimeMessage> awaitMessages(String subjectMarker, int count) throws Exception {
        long deadline = System.currentTimeMillis() + DELIVERY_TIMEOUT_MILLIS;
        List<MimeMessage> found = messages(subjectMarker);
        while (found.size() < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(POLL_MILLIS);
            found = messages(subjectMarker);
        }
        if (found.size() < count) {
            Assertions.fail(count + " message(s) with subject containing '" + subjectMarker + "' expected in "
                            + maildirNew + " within " + DELIVERY_TIMEOUT_MILLIS / 1000 + " s, found " + found.size()
                            + " (see /var/log/postfix.log)");
        }
        return found;
    }

    /** The messages now in the Maildir whose subject contains the marker. */
    List<MimeMessage> messages(String subjectMarker) throws IOException, MessagingException {
        Session session = Session.getInstance(new Properties());
        List<MimeMessage> result = new ArrayList<>();
        for (Path file : files(maildirNew)) {
            MimeMessage message;
            try (InputStream in = Files.newInputStream(file)) {
                message = new MimeMessage(session, in);
            } catch (NoSuchFileException e) {
                continue; // removed meanwhile
            }
            String subject = message.getSubject();
            if (subject != null && subject.contains(subjectMarker)) {
                result.add(message);
            }
        }
        return result;
    }

    private static List<Path> files(Path dir) throws IOException {
        // Postfix writes into tmp/ and renames into new/, so every file listed here is complete.
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isRegularFile).toList();
        }
    }

    private String property(String key) {
        String value = props.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("postfix-it.properties has no '" + key + "'. Fix: re-run .ci/postfix-setup.sh");
        }
        return value.trim();
    }
}
