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

/** SMTP AUTH on top of the client certificate, and the WARN that verifyHostname=false must produce at start. */
class LoginAndStartWarningsTest {

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
        List<String> warnings = new CopyOnWriteArrayList<>();
        AbstractAppender appender = new AbstractAppender("warnings", null, null, true, Property.EMPTY_ARRAY) {
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
            ctx.getEndpoint(f.uri("keyStore=" + f.aliceP12 + "&keyStorePassword=" + MtlsFixture.PW + "&verifyHostname=false"))
                    .start();
            assertTrue(warnings.stream().anyMatch(w -> w.contains("verifyHostname=false") && w.contains("man in the middle")),
                    () -> "no WARN about verifyHostname=false in " + warnings);
            assertFalse(warnings.stream().anyMatch(w -> w.contains(MtlsFixture.PW)), "a WARN shows the key store password");
        } finally {
            logger.removeAppender("warnings");
            logging.updateLoggers();
            appender.stop();
        }
    }
}
