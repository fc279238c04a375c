package io.github.smtpscert;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SMTP AUTH on top of the client certificate, and the WARNs an endpoint logs at start: verifyHostname=false, and
 * tlsMode=STARTTLS on port 465 (where the server expects implicit TLS).
 */
class LoginAndStartWarningsTest {

    private static final String SMTP_PASSWORD = "smtp-login-pw-42";

    @Test
    void logsInWhenUsernameIsSetAndReportsAWrongPasswordAsPermanent() throws Exception {
        try (MtlsFixture f = new MtlsFixture(MtlsSmtpServer.builder(TestPki.shared(), TestPki.shared().issueServer("localhost"))
                .authRequired(true)); CamelContext ctx = MtlsFixture.context()) {
            f.server.userManager().createUser("relay@example.org", "relay", "right-pw");
            String identity = "keyStore=" + f.aliceP12 + "&keyStorePassword=" + MtlsFixture.PW;

            Exchange ok = MtlsFixture.send(ctx, f.uri(identity + "&username=relay&password=right-pw"), "with login");
            assertNull(ok.getException());
            assertEquals(1, f.server.deliveries().size());

            Exchange refused = MtlsFixture.send(ctx, f.uri(identity + "&username=relay&password=wrong-pw"), "bad login");
            SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, refused.getException());
            assertTrue(e.getMessage().contains("login at localhost:" + f.server.port() + " failed")
                       && e.getMessage().contains("Fix: check username and password"), e.getMessage());
            assertFalse(e.getMessage().contains("wrong-pw"), e.getMessage());
            assertEquals(1, f.server.deliveries().size());
        }
    }

    @Test
    void verifyHostnameFalseIsLoggedAsWarningAtStart() throws Exception {
        try (EndpointWarnings warnings = new EndpointWarnings(); MtlsFixture f = new MtlsFixture();
             CamelContext ctx = MtlsFixture.context()) {
            ctx.getEndpoint(f.uri("keyStore=" + f.aliceP12 + "&keyStorePassword=" + MtlsFixture.PW + "&verifyHostname=false"))
                    .start();
            List<String> logged = warnings.list();
            assertTrue(logged.stream().anyMatch(w -> w.contains("verifyHostname=false") && w.contains("man in the middle")),
                    () -> "no WARN about verifyHostname=false in " + logged);
            assertFalse(logged.stream().anyMatch(w -> w.contains(MtlsFixture.PW)), "a WARN shows the key store password");
        }
    }

    @Test
    void startTlsOnPort465IsLoggedAsWarningAtStart() throws Exception {
        // nothing listens on localhost:465 here, and nothing needs to: the endpoint warns when it starts, before any send
        try (EndpointWarnings warnings = new EndpointWarnings(); MtlsFixture f = new MtlsFixture();
             CamelContext ctx = MtlsFixture.context()) {
            ctx.getEndpoint(secretsUri(f, "localhost:465", "tlsMode=STARTTLS")).start();

            List<String> logged = warnings.list();
            assertEquals(1, logged.size(), () -> "expected exactly one WARN, got " + logged);
            String warning = logged.get(0);
            assertTrue(warning.contains("tlsMode=STARTTLS") && warning.contains("localhost:465")
                       && warning.contains("port 465") && warning.contains("Fix: set tlsMode=IMPLICIT"), warning);
            assertFalse(warning.contains(MtlsFixture.PW), "the WARN shows the key store password: " + warning);
            assertFalse(warning.contains(SMTP_PASSWORD), "the WARN shows the SMTP password: " + warning);
        }
    }

    @Test
    void startTlsOnAnotherPortAndImplicitTlsOn465StartWithoutWarning() throws Exception {
        try (EndpointWarnings warnings = new EndpointWarnings(); MtlsFixture f = new MtlsFixture();
             CamelContext ctx = MtlsFixture.context()) {
            ctx.getEndpoint(secretsUri(f, "localhost:587", "tlsMode=STARTTLS")).start();
            ctx.getEndpoint(secretsUri(f, "localhost:2525", "tlsMode=STARTTLS")).start();
            ctx.getEndpoint(secretsUri(f, "localhost:465", "tlsMode=IMPLICIT")).start();
            ctx.getEndpoint(secretsUri(f, "localhost:465", "")).start(); // port 465 without tlsMode means IMPLICIT

            assertEquals(List.of(), warnings.list());
        }
    }

    /** A URI carrying both a key store password and an SMTP password, which no log line may show. */
    private static String secretsUri(MtlsFixture f, String hostAndPort, String tlsMode) {
        return "smtps-cert:" + hostAndPort + "?from=sender@example.org&to=rcpt@example.org&trustCertificates=" + f.trustPem
               + "&keyStore=" + f.aliceP12 + "&keyStorePassword=" + MtlsFixture.PW + "&username=relay&password="
               + SMTP_PASSWORD + (tlsMode.isEmpty() ? "" : "&" + tlsMode);
    }

    /**
     * Collects the WARN (and worse) lines SmtpsCertEndpoint logs while open; close() takes the appender off again, so the
     * logging configuration is as before.
     */
    private static final class EndpointWarnings implements AutoCloseable {
        private final List<String> warnings = new CopyOnWriteArrayList<>();
        private final AbstractAppender appender;
        private final LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        private final LoggerConfig logger;

        EndpointWarnings() {
            appender = new AbstractAppender("endpoint-warnings", null, null, true, Property.EMPTY_ARRAY) {
                @Override
                public void append(LogEvent event) {
                    if (event.getLevel().isMoreSpecificThan(Level.WARN)
                        && SmtpsCertEndpoint.class.getName().equals(event.getLoggerName())) {
                        warnings.add(event.getMessage().getFormattedMessage());
                    }
                }
            };
            appender.start();
            logger = logging.getConfiguration().getLoggerConfig(SmtpsCertEndpoint.class.getName());
            logger.addAppender(appender, Level.WARN, null);
            logging.updateLoggers();
        }

        List<String> list() {
            return List.copyOf(warnings);
        }

        @Override
        public void close() {
            logger.removeAppender(appender.getName());
            logging.updateLoggers();
            appender.stop();
        }
    }
}
