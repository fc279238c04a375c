package io.github.smtpscert;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where Angus Mail's debug output and SMTP protocol trace go, as docs/troubleshooting.md says: java.util.logging,
 * under the package of the component's SMTPTransport subclass instead of org.eclipse.angus.mail.smtp, with the
 * AUTH exchange left out.
 */
class AngusTraceTest {

    private static final String TRANSPORT = "io.github.smtpscert.internal.transport";
    private static final String SMTP_PASSWORD = "SmtpPw-4731";

    @RegisterExtension
    static final MtlsFixture f = MtlsFixture.perClass();

    @Test
    void theProtocolTraceIsLoggedThroughJulUnderTheComponentsTransportPackage() throws Exception {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(Level.ALL);
        List<Logger> loggers = List.of(Logger.getLogger(TRANSPORT), Logger.getLogger("org.eclipse.angus.mail.smtp"));
        List<Level> before = new ArrayList<>();
        for (Logger logger : loggers) {
            before.add(logger.getLevel());
            logger.setLevel(Level.FINEST);
            logger.addHandler(handler);
        }
        try (CamelContext ctx = MtlsFixture.context()) {
            String uri = f.uri("keyStore=" + f.aliceP12 + "&keyStorePassword=" + MtlsFixture.PW
                               + "&username=trace-user&password=" + SMTP_PASSWORD);
            assertNull(MtlsFixture.send(ctx, uri, "traced body").getException());
        } finally {
            for (int i = 0; i < loggers.size(); i++) {
                loggers.get(i).removeHandler(handler);
                loggers.get(i).setLevel(before.get(i));
            }
        }

        List<String> protocol = records.stream().filter(r -> r.getLoggerName().equals(TRANSPORT + ".protocol"))
                .map(LogRecord::getMessage).toList();
        assertTrue(protocol.stream().anyMatch(m -> m.startsWith("EHLO ")), protocol::toString);
        assertTrue(protocol.stream().anyMatch(m -> m.equals("MAIL FROM:<sender@example.org>")), protocol::toString);
        assertTrue(protocol.stream().anyMatch(m -> m.contains("traced body")), "the trace holds the message itself");
        assertTrue(records.stream().filter(r -> r.getLoggerName().equals(TRANSPORT + ".protocol"))
                .allMatch(r -> r.getLevel() == Level.FINEST), "the protocol trace is at FINEST");
        assertTrue(records.stream().anyMatch(r -> r.getLoggerName().equals(TRANSPORT) && r.getLevel() == Level.FINE
                                                  && r.getMessage().contains("command trace suppressed")),
                "Angus logs at FINE that it leaves the AUTH exchange out of the trace");
        assertEquals(List.of(), records.stream().map(LogRecord::getLoggerName)
                .filter(n -> n.startsWith("org.eclipse.angus.mail.smtp")).toList(), "nothing under Angus's names");
        // AUTH PLAIN or AUTH LOGIN would carry the password in base64
        List<String> forms = List.of(SMTP_PASSWORD, base64(SMTP_PASSWORD), base64("\0trace-user\0" + SMTP_PASSWORD));
        assertFalse(records.stream().anyMatch(r -> forms.stream().anyMatch(String.valueOf(r.getMessage())::contains)),
                "the AUTH exchange is not traced");
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
