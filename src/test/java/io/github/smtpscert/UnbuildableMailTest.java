package io.github.smtpscert;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import io.github.smtpscert.testsupport.FaultySmtpServer;
import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.TempDirs;
import io.github.smtpscert.testsupport.TestPki;
import jakarta.mail.util.ByteArrayDataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.attachment.AttachmentMessage;
import org.apache.camel.attachment.DefaultAttachment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exchanges that cannot become a clean mail: refused with a permanent error naming what is wrong, and the scripted
 * server, which keeps the raw bytes of every message it accepts, receives nothing.
 */
class UnbuildableMailTest {

    private static final String PW = "s3cret-pw";
    private static Path dir;
    private static Path trustPem;
    private static Path aliceP12;
    private static FaultySmtpServer server;

    private CamelContext ctx;

    @BeforeAll
    static void startServer() {
        TestPki pki = TestPki.shared();
        dir = TempDirs.create("smtps-cert-test");
        trustPem = pki.writeTrustPem(dir, "trust.pem");
        aliceP12 = pki.issueClient("alice", KeyAlg.EC).writePkcs12(dir, "alice.p12", PW.toCharArray(), PW.toCharArray());
        server = new FaultySmtpServer(pki, pki.issueServer("localhost"));
    }

    @AfterAll
    static void stopServer() {
        try {
            server.close();
        } finally {
            TempDirs.delete(dir);
        }
    }

    @BeforeEach
    void context() throws Exception {
        ctx = MtlsFixture.context();
    }

    @AfterEach
    void closeContext() throws Exception {
        ctx.close();
    }

    private static String uri() {
        return "smtps-cert:localhost:" + server.port() + "?tlsMode=IMPLICIT&from=sender@example.org&to=rcpt@example.org"
               + "&subject=hello&trustCertificates=" + trustPem + "&keyStore=" + aliceP12 + "&keyStorePassword=" + PW;
    }

    private Exchange sendWithAttachment(String fileName, String headerName, String headerValue) {
        return ctx.createProducerTemplate().send(uri(), exchange -> {
            exchange.getMessage().setBody("see attachment");
            DefaultAttachment attachment = new DefaultAttachment(
                    new ByteArrayDataSource("attached".getBytes(StandardCharsets.US_ASCII), "text/plain"));
            if (headerName != null) {
                attachment.addHeader(headerName, headerValue);
            }
            exchange.getMessage(AttachmentMessage.class).addAttachmentObject(fileName, attachment);
        });
    }

    /** Every message the server accepted, as the raw text that came over the wire. */
    private static List<String> rawMessages() {
        return server.stored().stream().map(s -> new String(s.data(), StandardCharsets.ISO_8859_1)).toList();
    }

    private static void assertNothingInjected(List<String> before) {
        List<String> received = rawMessages();
        for (String raw : received.subList(before.size(), received.size())) {
            assertFalse(raw.contains("\nX-Injected: yes"), () -> "the injected header reached the server:\n" + raw);
        }
        assertEquals(before.size(), received.size(), "nothing may be delivered");
    }

    @Test
    void aPlainAttachmentWithAHeaderArrives() {
        // the control: the same send with harmless input is delivered, header and file name included
        List<String> before = rawMessages();
        Exchange ex = sendWithAttachment("report.txt", "X-Report-Id", "42");

        assertNull(ex.getException());
        List<String> received = rawMessages();
        assertEquals(before.size() + 1, received.size());
        String raw = received.get(received.size() - 1);
        assertTrue(raw.contains("\r\nX-Report-Id: 42\r\n") && raw.contains("filename=report.txt"), raw);
    }

    @ParameterizedTest(name = "file name with {0}")
    @ValueSource(strings = {"CRLF", "LF", "CR"})
    void lineBreakInAnAttachmentFileNameIsRefused(String lineBreak) {
        String breakChars = switch (lineBreak) {
            case "CRLF" -> "\r\n";
            case "LF" -> "\n";
            default -> "\r";
        };
        List<String> before = rawMessages();
        Exchange ex = sendWithAttachment("a.txt" + breakChars + "X-Injected: yes", null, null);
        assertNothingInjected(before);

        SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
        String message = e.getMessage();
        assertTrue(message.startsWith("cannot build the mail: attachment file name"), message);
        assertTrue(message.contains("line break"), message);
        // the name is shown with its line break escaped, so the message itself cannot forge a log line
        String escaped = breakChars.replace("\r", "\\r").replace("\n", "\\n");
        assertTrue(message.contains("a.txt" + escaped + "X-Injected: yes"), message);
        assertFalse(message.contains("\r") || message.contains("\n"), message);
    }

    @ParameterizedTest(name = "header name {0}")
    @ValueSource(strings = {"X-Foo: bar\r\nX-Injected", "X-Foo: bar\nX-Injected", "X-Injected: yes\r\nX-Foo"})
    void lineBreakInAnAttachmentHeaderNameIsRefused(String headerName) {
        List<String> before = rawMessages();
        Exchange ex = sendWithAttachment("a.txt", headerName, "yes");
        assertNothingInjected(before);

        SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
        String message = e.getMessage();
        assertTrue(message.startsWith("cannot build the mail: attachment header name"), message);
        assertTrue(message.contains("in attachment a.txt") && message.contains("line break"), message);
        assertFalse(message.contains("\r") || message.contains("\n"), message);
    }

    @ParameterizedTest(name = "header name ''{0}''")
    @ValueSource(strings = {"X-Injected: yes", "X Injected", "X-Ünicode", ""})
    void anAttachmentHeaderNameThatIsNoFieldNameIsRefused(String headerName) {
        // "X-Injected: yes" with value "no" would go out as the header X-Injected with the value "yes: no"
        List<String> before = rawMessages();
        Exchange ex = sendWithAttachment("a.txt", headerName, "no");
        assertNothingInjected(before);

        SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
        String message = e.getMessage();
        assertTrue(message.startsWith("cannot build the mail: attachment header name=" + headerName + ": "), message);
        assertTrue(message.contains("is not a header field name") && message.contains("in attachment a.txt"), message);
    }

    @Test
    void lineBreakInAnAttachmentHeaderValueIsRefused() {
        List<String> before = rawMessages();
        Exchange ex = sendWithAttachment("a.txt", "X-Foo", "bar\r\nX-Injected: yes");
        assertNothingInjected(before);

        SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
        assertTrue(e.getMessage().contains("attachment header X-Foo") && e.getMessage().contains("line break"),
                e.getMessage());
    }
}
