package io.github.smtpscert.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

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
