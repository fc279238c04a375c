package io.github.smtpscert;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.github.smtpscert.testsupport.FaultySmtpServer;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.ByteArrayDataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.attachment.AttachmentMessage;
import org.apache.camel.attachment.DefaultAttachment;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exchanges that cannot become a clean mail - header injection through attachments, a body that cannot be read -
 * fail with a permanent error naming what is wrong, and the scripted server, which keeps the raw bytes of every
 * message it accepts, receives nothing.
 */
class UnbuildableMailTest {

    @RegisterExtension
    static final FaultyFixture FIXTURE = FaultyFixture.perClass();
    private static final FaultySmtpServer server = FIXTURE.server;

    private CamelContext ctx;

    @BeforeEach
    void context() throws Exception {
        ctx = MtlsFixture.context();
    }

    @AfterEach
    void closeContext() throws Exception {
        ctx.close();
    }

    private static String uri() {
        return FIXTURE.uri();
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

    // ---- a body that cannot be read ----

    /** Gives {@code size} bytes of CRLF-terminated text lines, then fails as a disk or network source would. */
    private static InputStream failingAfter(int size) {
        return new InputStream() {
            private int given;

            @Override
            public int read() throws IOException {
                if (given == size) {
                    throw new IOException("disk gone");
                }
                int position = given++ % 64;
                return position == 62 ? '\r' : position == 63 ? '\n' : 'a';
            }
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"text/plain", "application/octet-stream"})
    void aStreamThatFailsAfterOneMegabyteIsAPermanentErrorAndNothingIsDelivered(String contentType) {
        int before = server.stored().size();
        Exchange ex = ctx.createProducerTemplate().send(uri() + "&contentType=" + contentType,
                exchange -> exchange.getMessage().setBody(failingAfter(1024 * 1024)));

        SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
        assertTrue(e.getMessage().startsWith("cannot build the mail: body="), e.getMessage());
        assertTrue(e.getMessage().contains("the body cannot be read (IOException: disk gone)"), e.getMessage());
        assertEquals(-1, e.getReplyCode());
        assertEquals(before, server.stored().size(), "the server never got the final dot, so nothing was delivered");
    }

    @Test
    void aBodyWhoseConversionFailsIsAPermanentErrorThatDoesNotQuoteTheBody() {
        int before = server.stored().size();
        int connections = server.connectionCount();
        Exchange ex = ctx.createProducerTemplate().send(uri(), exchange -> exchange.getMessage().setBody(new Unprintable()));

        SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
        assertTrue(e.getMessage().startsWith("cannot build the mail: body=Unprintable: the body cannot be read ("),
                e.getMessage());
        assertTrue(e.getMessage().contains("IllegalStateException: no text for this one"), e.getMessage());
        assertEquals(before, server.stored().size());
        assertEquals(connections, server.connectionCount(), "a body that cannot be converted is refused before connecting");
    }

    /** A body Camel can only convert to text through toString(), which fails. */
    static final class Unprintable {
        @Override
        public String toString() {
            throw new IllegalStateException("no text for this one");
        }
    }

    @Test
    void aPlainStreamIsNotSentAgainOnRedeliveryOnceRead() throws Exception {
        // the first attempt breaks off in the middle of DATA, after part of the stream was read; the redelivery must
        // not send what is left of the stream as if it were the whole body
        int before = server.stored().size();
        server.failNext(FaultySmtpServer.Step.MID_DATA, FaultySmtpServer.Fault.close());
        Exchange ex = sendThroughRouteWithOneRedelivery(false, new ByteArrayInputStream(lines(50_000)));

        SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
        assertTrue(e.getMessage().contains("was already read by an earlier attempt")
                   && e.getMessage().contains("stream caching"), e.getMessage());
        assertEquals(before, server.stored().size());
    }

    @Test
    void aStreamCachedBodyIsSentWholeOnRedelivery() throws Exception {
        int before = server.stored().size();
        byte[] body = lines(50_000);
        server.failNext(FaultySmtpServer.Step.MID_DATA, FaultySmtpServer.Fault.close());
        Exchange ex = sendThroughRouteWithOneRedelivery(true, new ByteArrayInputStream(body));

        assertNull(ex.getException());
        List<FaultySmtpServer.Stored> stored = server.stored();
        assertEquals(before + 1, stored.size());
        MimeMessage received = new MimeMessage(null, new ByteArrayInputStream(stored.get(stored.size() - 1).data()));
        try (InputStream in = received.getInputStream()) {
            assertArrayEquals(body, in.readAllBytes(), "the redelivery sent the whole body");
        }
    }

    private Exchange sendThroughRouteWithOneRedelivery(boolean streamCaching, InputStream body) throws Exception {
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(defaultErrorHandler().maximumRedeliveries(1).redeliveryDelay(0));
                from("direct:redelivered").streamCache(String.valueOf(streamCaching)).to(uri());
            }
        });
        return ctx.createProducerTemplate().send("direct:redelivered", exchange -> exchange.getMessage().setBody(body));
    }

    /** 80-byte CRLF-terminated lines of printable ASCII, which quoted-printable carries unchanged. */
    private static byte[] lines(int count) {
        int size = 80 * count;
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            int position = i % 80;
            data[i] = (byte) (position == 78 ? '\r' : position == 79 ? '\n' : 'a' + (i / 80) % 26);
        }
        return data;
    }

    @Test
    void anUnsupportedCharsetStopsTheEndpointNamingIt() {
        // before, the mail was built and failed while its body was written, as a transient error at DATA
        int connections = server.connectionCount();
        Exception e = assertThrows(Exception.class,
                () -> ctx.createProducerTemplate().sendBody(uri() + "&charset=X-NO-SUCH-CHARSET", "body"));
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append(" | ");
        }
        assertTrue(messages.toString().contains("charset=X-NO-SUCH-CHARSET: the charset X-NO-SUCH-CHARSET is not "
                                                + "supported by this JVM"), messages.toString());
        assertEquals(connections, server.connectionCount());
    }
}
