package io.github.smtpscert;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cipherSuites default is pinned to TLS 1.3 suites and ECDHE AEAD suites for TLS 1.2, whatever else the JVM
 * enables: a server that offers only an older suite is refused until the user widens the list.
 */
class CipherSuitesTest {

    /** The pinned default, as documented. */
    private static final List<String> PINNED = List.of(
            "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    /**
     * CBC with HMAC, still enabled by JDK 17's defaults (3DES, the issue's example, is disabled by the JDK itself,
     * jdk.tls.disabledAlgorithms, so a JSSE server cannot offer it at all). The test server's key is RSA.
     */
    private static final String CBC_SUITE = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256";

    private static String alice(MtlsFixture f) {
        return "keyStore=" + f.aliceP12 + "&keyStorePassword=" + MtlsFixture.PW;
    }

    private static MtlsSmtpServer.Builder server() {
        return MtlsSmtpServer.builder(TestPki.shared(), TestPki.shared().issueServer("localhost"));
    }

    @Test
    void theDefaultListIsThePinnedOne() {
        assertEquals(String.join(",", PINNED), new SmtpsCertConfiguration().getCipherSuites());
    }

    @ParameterizedTest(name = "server offering {0}")
    @ValueSource(strings = {"TLSv1.3,TLSv1.2", "TLSv1.2"})
    void theDefaultNegotiatesAPinnedSuite(String protocols) throws Exception {
        try (MtlsFixture f = new MtlsFixture(server().protocols(protocols.split(",")));
             CamelContext ctx = MtlsFixture.context()) {
            Exchange ex = MtlsFixture.send(ctx, f.uri(alice(f)), "body");

            assertNull(ex.getException());
            Delivery delivery = f.server.deliveries().get(0);
            assertTrue(PINNED.contains(delivery.cipherSuite()), delivery.cipherSuite());
            assertEquals(protocols.split(",")[0], delivery.tlsProtocol());
        }
    }

    @Test
    void aServerOfferingOnlyACbcSuiteIsRefusedByDefault() throws Exception {
        try (MtlsFixture f = new MtlsFixture(server().protocols("TLSv1.2").cipherSuites(CBC_SUITE));
             CamelContext ctx = MtlsFixture.context()) {
            Exchange ex = MtlsFixture.send(ctx, f.uri(alice(f)), "body");

            SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
            String message = e.getMessage();
            assertTrue(message.contains("TLS with localhost:" + f.server.port() + " failed") && message.contains(
                    "handshake_failure") && message.contains("Fix: the server may offer none of cipherSuites"), message);
            assertEquals(0, f.server.deliveries().size());
            assertEquals(0, f.server.fullHandshakes(), "no TLS session was established");
        }
    }

    @Test
    void widenedCipherSuitesReachTheCbcOnlyServer() throws Exception {
        try (MtlsFixture f = new MtlsFixture(server().protocols("TLSv1.2").cipherSuites(CBC_SUITE));
             CamelContext ctx = MtlsFixture.context()) {
            String widened = String.join(",", PINNED) + "," + CBC_SUITE;
            Exchange ex = MtlsFixture.send(ctx, f.uri(alice(f) + "&cipherSuites=" + widened), "body");

            assertNull(ex.getException());
            assertEquals(CBC_SUITE, f.server.deliveries().get(0).cipherSuite());
        }
    }

    @Test
    void aSuiteThisJvmDoesNotKnowIsLeftOutWithAWarning() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        AbstractAppender appender = new AbstractAppender("cipher-warnings", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLevel().isMoreSpecificThan(Level.WARN)) {
                    warnings.add(event.getMessage().getFormattedMessage());
                }
            }
        };
        appender.start();
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        LoggerConfig logger = logging.getConfiguration().getLoggerConfig(SmtpsCertEndpoint.class.getName());
        logger.addAppender(appender, Level.WARN, null);
        logging.updateLoggers();
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = MtlsFixture.context()) {
            Exchange ex = MtlsFixture.send(ctx,
                    f.uri(alice(f) + "&cipherSuites=TLS_NO_SUCH_SUITE,TLS_AES_128_GCM_SHA256"), "body");

            assertNull(ex.getException());
            assertEquals("TLS_AES_128_GCM_SHA256", f.server.deliveries().get(0).cipherSuite());
            assertTrue(warnings.stream().anyMatch(w -> w.startsWith("cipherSuites on smtps-cert:localhost:")
                                                       && w.contains("does not support TLS_NO_SUCH_SUITE")), warnings::toString);
        } finally {
            logger.removeAppender("cipher-warnings");
            logging.updateLoggers();
            appender.stop();
        }
    }

    @Test
    void noSupportedSuiteAtAllStopsTheEndpointNamingTheOption() throws Exception {
        // 3DES is known to the JDK but disabled (jdk.tls.disabledAlgorithms), so this JVM cannot use it
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = MtlsFixture.context()) {
            String suites = "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,TLS_NO_SUCH_SUITE";
            Exception e = assertThrows(Exception.class,
                    () -> ctx.createProducerTemplate().sendBody(f.uri(alice(f) + "&cipherSuites=" + suites), "body"));
            StringBuilder messages = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append(" | ");
            }
            assertTrue(messages.toString().contains("cipherSuites=" + suites + ": this JVM supports none of these"),
                    messages.toString());
            assertEquals(0, f.server.connectionCount());
        }
    }
}
