package io.github.smtpscert;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With the component logging at TRACE and Camel at DEBUG, no password given to the component appears in a log line, an exception message
 * or the endpoint as Camel prints it, whether the exchange succeeds or the configuration is wrong.
 */
class SecretsNotLoggedTest {

    private static final String STORE_PW = "KsPw-4711-secret";
    private static final String KEY_PW = "KeyPw-4712-secret";
    private static final String PEM_PW = "PemPw-4713-secret";
    private static final String TRUST_PW = "TsPw-4714-secret";
    private static final String SMTP_PW = "SmtpPw-4715-secret";
    private static final String WRONG_PW = "WrongPw-4716-secret";
    private static final List<String> SECRETS = List.of(STORE_PW, KEY_PW, PEM_PW, TRUST_PW, SMTP_PW, WRONG_PW);
    // Camel core itself logs the raw endpoint URI at TRACE (AbstractCamelContext "Getting endpoint with uri: ..."),
    // for every component, so Camel is captured at DEBUG and the component's own code at TRACE.
    private static final Map<String, Level> CAPTURED_LOGGERS
            = Map.of("io.github.smtpscert", Level.TRACE, "org.apache.camel", Level.DEBUG);

    private static MtlsFixture f;

    @TempDir
    static Path dir;

    private static Path aliceP12;
    private static Path trustStore;
    private static Path bobChain;
    private static Path bobKey;

    private final Capture capture = new Capture();
    // what captureEverything() changed, undone by restoreLogging() so that later test classes log as configured
    private final List<LoggerConfig> changed = new ArrayList<>();
    private final List<Level> previousLevels = new ArrayList<>();
    private final List<Boolean> previousAdditivity = new ArrayList<>();
    private final List<String> added = new ArrayList<>();
    private String loggingBefore;

    @BeforeAll
    static void startServer() throws Exception {
        f = new MtlsFixture();
        aliceP12 = f.alice.writePkcs12(dir, "alice.p12", STORE_PW.toCharArray(), KEY_PW.toCharArray());
        trustStore = f.pki.writeTrustStore(dir, "trust.p12", TRUST_PW.toCharArray(), "PKCS12");
        bobChain = f.bob.writeCertChainPem(dir, "bob-chain.pem");
        bobKey = f.bob.writeKeyPkcs8Encrypted(dir, "bob-key.pem", PEM_PW.toCharArray());
    }

    @AfterAll
    static void stopServer() {
        if (f != null) {
            f.close();
        }
    }

    @BeforeEach
    void captureEverything() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        loggingBefore = describe(context);
        capture.start();
        for (Map.Entry<String, Level> entry : CAPTURED_LOGGERS.entrySet()) {
            String name = entry.getKey();
            LoggerConfig logger = config.getLoggerConfig(name);
            if (logger.getName().equals(name)) {
                changed.add(logger);
                previousLevels.add(logger.getLevel());
                previousAdditivity.add(logger.isAdditive());
            } else {
                // not configured: a logger of our own for the test, removed again afterwards
                logger = new LoggerConfig(name, entry.getValue(), true);
                config.addLogger(name, logger);
                added.add(name);
            }
            logger.setLevel(entry.getValue());
            logger.setAdditive(false); // keep the noise out of the console
            logger.addAppender(capture, entry.getValue(), null);
        }
        context.updateLoggers();
    }

    /** Puts back levels, additivity and appenders as they were before the test, even if one step fails. */
    @AfterEach
    void restoreLogging() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        try {
            for (int i = 0; i < changed.size(); i++) {
                LoggerConfig logger = changed.get(i);
                try {
                    logger.removeAppender(capture.getName());
                } finally {
                    logger.setLevel(previousLevels.get(i));
                    logger.setAdditive(previousAdditivity.get(i));
                }
            }
            for (String name : added) {
                LoggerConfig logger = config.getLoggerConfig(name);
                try {
                    logger.removeAppender(capture.getName());
                } finally {
                    config.removeLogger(name);
                }
            }
        } finally {
            context.updateLoggers();
            capture.stop();
        }
        // later test classes must not inherit DEBUG/TRACE logging (tens of thousands of lines) or the capture
        assertEquals(loggingBefore, describe(context), "logging not restored");
    }

    /** Every configured logger with its level, additivity and appenders, and the effective level of each captured one. */
    private static String describe(LoggerContext context) {
        StringBuilder text = new StringBuilder();
        context.getConfiguration().getLoggers().values().stream()
                .sorted(Comparator.comparing(LoggerConfig::getName))
                .forEach(l -> text.append(l.getName()).append(' ').append(l.getLevel()).append(' ').append(l.isAdditive())
                        .append(' ').append(new TreeSet<>(l.getAppenders().keySet())).append('\n'));
        CAPTURED_LOGGERS.keySet().stream().sorted().forEach(name -> text.append(name).append(" effective ")
                .append(context.getLogger(name).getLevel()).append('\n'));
        return text.toString();
    }

    @Test
    void sendingWithEveryKindOfPasswordLogsNone() throws Exception {
        String keyStoreUri = uri("keyStore=" + aliceP12 + "&keyStorePassword=" + STORE_PW + "&keyPassword=" + KEY_PW
                                 + "&username=smtp-user&password=" + SMTP_PW);
        String pemUri = uri("certificateFile=" + bobChain + "&privateKeyFile=" + bobKey + "&privateKeyPassword=" + PEM_PW);
        List<String> printed = new ArrayList<>();
        try (CamelContext ctx = MtlsFixture.context()) {
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:keystore").routeId("with-keystore").to(keyStoreUri);
                    from("direct:pem").routeId("with-pem").to(pemUri);
                }
            });
            for (String route : List.of("direct:keystore", "direct:pem")) {
                Exchange ex = ctx.createProducerTemplate().send(route, e -> e.getMessage().setBody("secret-free body"));
                assertNull(ex.getException(), () -> "send failed: " + ex.getException());
            }
            for (Endpoint endpoint : ctx.getEndpoints()) {
                printed.add(endpoint.toString());
                printed.add(String.valueOf(endpoint.getEndpointBaseUri()));
            }
            printed.add(ctx.getRoute("with-keystore").getEndpoint().toString());
            printed.add(ctx.getRoute("with-keystore").toString());
        }

        // the capture works: our own start-up line and Camel's route lines are there
        assertTrue(capture.contains("will present ClientIdentity[CN=alice"), "capture misses our INFO line");
        assertTrue(capture.contains("will present ClientIdentity[CN=bob"), "capture misses our INFO line");
        assertTrue(capture.lines().stream().anyMatch(l -> l.startsWith("org.apache.camel") && l.contains("smtps-cert")),
                "capture has no Camel line about the smtps-cert endpoint");
        assertTrue(printed.stream().anyMatch(p -> p.contains("keyStorePassword=xxxxxx")), printed::toString);
        assertNoSecret("log", capture.lines());
        assertNoSecret("printed endpoint", printed);
    }

    @Test
    void configurationErrorsLogNoPassword() throws Exception {
        List<String> options = List.of(
                "keyStore=" + aliceP12 + "&keyStorePassword=" + WRONG_PW + "&keyPassword=" + KEY_PW,
                "keyStore=" + aliceP12 + "&keyStorePassword=" + STORE_PW + "&keyPassword=" + WRONG_PW,
                "certificateFile=" + bobChain + "&privateKeyFile=" + bobKey + "&privateKeyPassword=" + WRONG_PW,
                "keyStore=" + aliceP12 + "&keyStorePassword=" + STORE_PW + "&keyPassword=" + KEY_PW
                + "&trustStore=" + trustStore + "&trustStorePassword=" + WRONG_PW);
        List<String> messages = new ArrayList<>();
        for (String option : options) {
            String uri = option.contains("trustStore=") ? uriWithoutTrust(option) : uri(option);
            try (CamelContext ctx = MtlsFixture.context()) {
                Exception e = assertThrows(Exception.class, () -> ctx.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("direct:bad").to(uri);
                    }
                }));
                assertNotNull(findConfigurationException(e), () -> "no SmtpsCertConfigurationException for " + option);
                messages.addAll(chain(e));
                messages.add(stackTrace(e));
            }
        }
        assertTrue(messages.stream().anyMatch(m -> m.contains("wrong password")), messages::toString);
        assertNoSecret("exception", messages);
        assertNoSecret("log", capture.lines());
    }

    @Test
    void sendFailureWithPasswordsLogsNone() throws Exception {
        // the server needs a certificate the endpoint trusts nothing for: the handshake fails after the identity loaded
        String uri = uriWithoutTrust("keyStore=" + aliceP12 + "&keyStorePassword=" + STORE_PW + "&keyPassword=" + KEY_PW
                                     + "&password=" + SMTP_PW + "&username=u");
        List<String> messages = new ArrayList<>();
        try (CamelContext ctx = MtlsFixture.context()) {
            Exchange ex = MtlsFixture.send(ctx, uri, "body");
            assertNotNull(ex.getException());
            messages.addAll(chain(ex.getException()));
            messages.add(stackTrace(ex.getException()));
        }
        assertTrue(messages.stream().anyMatch(m -> m.contains("not trusted")), messages::toString);
        assertNoSecret("exception", messages);
        assertNoSecret("log", capture.lines());
    }

    // ---- helpers ----

    private static String uri(String options) {
        return f.uri(options);
    }

    private static String uriWithoutTrust(String options) {
        return "smtps-cert:localhost:" + f.server.port() + "?tlsMode=IMPLICIT&from=sender@example.org&to=rcpt@example.org&"
               + options;
    }

    private static SmtpsCertConfigurationException findConfigurationException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SmtpsCertConfigurationException c) {
                return c;
            }
        }
        return null;
    }

    private static List<String> chain(Throwable e) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = e; t != null && messages.size() < 50; t = t.getCause()) {
            messages.add(String.valueOf(t));
            for (Throwable suppressed : t.getSuppressed()) {
                messages.add(String.valueOf(suppressed));
            }
        }
        return messages;
    }

    private static String stackTrace(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    private static void assertNoSecret(String where, List<String> texts) {
        assertFalse(texts.isEmpty(), "nothing captured for " + where);
        for (String text : texts) {
            for (String secret : SECRETS) {
                assertFalse(text.contains(secret), () -> where + " contains a password: " + text);
            }
        }
    }

    /** Keeps each event as "logger level message" plus the full stack trace of its throwable. */
    private static final class Capture extends AbstractAppender {
        private final List<String> lines = new CopyOnWriteArrayList<>();

        Capture() {
            super("secrets-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            StringBuilder line = new StringBuilder()
                    .append(event.getLoggerName()).append(' ').append(event.getLevel()).append(' ')
                    .append(event.getMessage().getFormattedMessage());
            if (event.getThrown() != null) {
                line.append('\n').append(stackTrace(event.getThrown()));
            }
            lines.add(line.toString());
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        boolean contains(String text) {
            return lines.stream().anyMatch(l -> l.contains(text));
        }
    }
}
