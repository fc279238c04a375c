package io.github.smtpscert;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.ByteArrayDataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.attachment.AttachmentMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.github.smtpscert.MtlsFixture.PW;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How an exchange becomes the mail the server receives. */
class MessageBindingTest {

    @RegisterExtension
    static final MtlsFixture f = MtlsFixture.perClass();
    private CamelContext ctx;

    @BeforeEach
    void context() throws Exception {
        ctx = MtlsFixture.context();
    }

    @AfterEach
    void closeContext() throws Exception {
        ctx.close();
    }

    @Test
    void toCcAndBccReachTheServerButBccIsNotAHeader() throws Exception {
        Delivery d = deliver(uri("cc=c@example.org&bcc=hidden@example.org").replace("to=rcpt@example.org",
                "to=a@example.org,b@example.org"), "body", Map.of());

        assertEquals(List.of("a@example.org", "b@example.org"), emails(d.message().getRecipients(RecipientType.TO)));
        assertEquals(List.of("c@example.org"), emails(d.message().getRecipients(RecipientType.CC)));
        assertNull(d.message().getHeader("Bcc"));
        assertEquals(List.of("a@example.org", "b@example.org", "c@example.org", "hidden@example.org"),
                d.envelopeRecipients().stream().sorted().toList());
    }

    @Test
    void replyTo() throws Exception {
        Delivery d = deliver(uri("replyTo=answers@example.org"), "body", Map.of());
        assertEquals(List.of("answers@example.org"), emails(d.message().getReplyTo()));
    }

    @Test
    void nonAsciiSubjectIsEncodedAndDecodesBack() throws Exception {
        String subject = "Grüße – 日本語 ✓";
        Delivery d = deliver(uri("useHeaderSubject=true"), "body", Map.of("Subject", subject));

        String raw = d.message().getHeader("Subject")[0];
        assertTrue(raw.startsWith("=?UTF-8?"), raw);
        assertEquals(subject, d.message().getSubject());
    }

    @Test
    void htmlContentType() throws Exception {
        String html = "<html><body><p>Hello <b>world</b></p></body></html>";
        Delivery d = deliver(uri("contentType=text/html"), html, Map.of());

        assertTrue(d.message().isMimeType("text/html"), d.message().getContentType());
        assertEquals(html, ((String) d.message().getContent()).strip());
    }

    @Test
    void charsetIso88591() throws Exception {
        String text = "café crème à la française";
        Delivery d = deliver(uri("charset=ISO-8859-1"), text, Map.of());

        assertTrue(d.message().getContentType().toLowerCase().contains("charset=iso-8859-1"), d.message().getContentType());
        assertEquals(text, ((String) d.message().getContent()).strip());
    }

    @Test
    void headersAreUsedWhenAllowed() throws Exception {
        Delivery d = deliver(uri("useHeaderRecipients=true&useHeaderFrom=true&useHeaderSubject=true"), "body", Map.of(
                "To", "header-to@example.org", "Cc", "header-cc@example.org", "Bcc", "header-bcc@example.org",
                "From", "header-from@example.org", "Subject", "header subject"));

        assertEquals(List.of("header-to@example.org"), emails(d.message().getRecipients(RecipientType.TO)));
        assertEquals(List.of("header-cc@example.org"), emails(d.message().getRecipients(RecipientType.CC)));
        assertEquals(List.of("header-from@example.org"), emails(d.message().getFrom()));
        assertEquals("header subject", d.message().getSubject());
        assertEquals(List.of("header-bcc@example.org", "header-cc@example.org", "header-to@example.org"),
                d.envelopeRecipients().stream().sorted().toList());
    }

    @Test
    void headersAreIgnoredByDefault() throws Exception {
        Delivery d = deliver(uri(""), "body", Map.of(
                "To", "header-to@example.org", "Cc", "header-cc@example.org", "Bcc", "header-bcc@example.org",
                "From", "header-from@example.org", "Subject", "header subject"));

        assertEquals(List.of("rcpt@example.org"), emails(d.message().getRecipients(RecipientType.TO)));
        assertNull(d.message().getRecipients(RecipientType.CC));
        assertEquals(List.of("sender@example.org"), emails(d.message().getFrom()));
        assertEquals("hello", d.message().getSubject());
        assertEquals(List.of("rcpt@example.org"), d.envelopeRecipients());
    }

    @Test
    void headersAreIgnoredWhenExplicitlyOff() throws Exception {
        Delivery d = deliver(uri("useHeaderRecipients=false&useHeaderFrom=false&useHeaderSubject=false"), "body",
                Map.of("To", "header-to@example.org", "From", "header-from@example.org", "Subject", "header subject"));

        assertEquals(List.of("rcpt@example.org"), d.envelopeRecipients());
        assertEquals(List.of("sender@example.org"), emails(d.message().getFrom()));
        assertEquals("hello", d.message().getSubject());
    }

    @Test
    void mimeMessageBodyIsSentAsIs() throws Exception {
        MimeMessage prebuilt = new MimeMessage(Session.getInstance(new Properties()));
        prebuilt.setFrom(new InternetAddress("prebuilt-from@example.org"));
        prebuilt.setRecipient(RecipientType.TO, new InternetAddress("prebuilt-to@example.org"));
        prebuilt.setSubject("prebuilt subject");
        prebuilt.setHeader("X-Prebuilt", "yes");
        prebuilt.setText("prebuilt body", "UTF-8");

        Delivery d = deliver(uri(""), prebuilt, Map.of());

        assertEquals("prebuilt subject", d.message().getSubject());
        assertEquals("yes", d.message().getHeader("X-Prebuilt")[0]);
        assertEquals(List.of("prebuilt-from@example.org"), emails(d.message().getFrom()));
        assertEquals(List.of("prebuilt-to@example.org"), d.envelopeRecipients());
        assertEquals("prebuilt body", ((String) d.message().getContent()).strip());
    }

    @Test
    void attachmentsBecomeMimeParts() throws Exception {
        byte[] data = new byte[300];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        int before = f.server.deliveries().size();
        Exchange ex = ctx.createProducerTemplate().send(uri(""), exchange -> {
            exchange.getMessage().setBody("see attachment");
            exchange.getMessage(AttachmentMessage.class).addAttachment("data.bin",
                    new DataHandler(new ByteArrayDataSource(data, "application/octet-stream")));
        });
        Delivery d = delivered(ex, before);

        Multipart multipart = assertInstanceOf(Multipart.class, d.message().getContent());
        assertEquals(2, multipart.getCount());
        assertEquals("see attachment", ((String) multipart.getBodyPart(0).getContent()).strip());
        Part attachment = multipart.getBodyPart(1);
        assertEquals("data.bin", attachment.getFileName());
        assertEquals(Part.ATTACHMENT, attachment.getDisposition());
        assertTrue(attachment.isMimeType("application/octet-stream"), attachment.getContentType());
        assertArrayEquals(data, readAll(attachment.getInputStream()));
    }

    @Test
    void nullBodySendsAnEmptyText() throws Exception {
        Delivery d = deliver(uri(""), null, Map.of());

        assertTrue(d.message().isMimeType("text/plain"), d.message().getContentType());
        assertEquals("", ((String) d.message().getContent()).strip());
    }

    @Test
    void lineBreakInSubjectHeaderIsRejectedAndNothingIsSent() {
        int deliveriesBefore = f.server.deliveries().size();
        int connectionsBefore = f.server.connectionCount();

        Exchange ex = ctx.createProducerTemplate().send(uri("useHeaderSubject=true"), exchange -> {
            exchange.getMessage().setBody("body");
            exchange.getMessage().setHeader("Subject", "hi\r\nBcc: victim@example.org");
        });

        assertNotNull(ex.getException());
        String message = ex.getException().getMessage();
        assertTrue(message.contains("Subject header") && message.contains("line break"), message);
        assertEquals(deliveriesBefore, f.server.deliveries().size());
        assertEquals(connectionsBefore, f.server.connectionCount(), "no connection may be opened for a rejected message");
    }

    // ---- helpers ----

    private static String uri(String options) {
        return f.uri("keyStore=" + f.aliceP12 + "&keyStorePassword=" + PW + (options.isEmpty() ? "" : "&" + options));
    }

    private Delivery deliver(String uri, Object body, Map<String, Object> headers) {
        int before = f.server.deliveries().size();
        Exchange ex = ctx.createProducerTemplate().send(uri, exchange -> {
            exchange.getMessage().setBody(body);
            exchange.getMessage().setHeaders(new java.util.HashMap<>(headers));
        });
        return delivered(ex, before);
    }

    private static Delivery delivered(Exchange ex, int before) {
        assertNull(ex.getException(), () -> "send failed: " + ex.getException());
        List<Delivery> deliveries = f.server.deliveries();
        assertEquals(before + 1, deliveries.size());
        Delivery d = deliveries.get(before);
        try {
            assertEquals(d.message().getMessageID(), ex.getMessage().getHeader(SmtpsCertConstants.MESSAGE_ID));
        } catch (jakarta.mail.MessagingException e) {
            throw new AssertionError(e);
        }
        return d;
    }

    private static List<String> emails(Address[] addresses) {
        assertNotNull(addresses);
        return Arrays.stream(addresses).map(a -> ((InternetAddress) a).getAddress()).toList();
    }

    private static byte[] readAll(InputStream in) throws Exception {
        try (in; ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            in.transferTo(out);
            return out.toByteArray();
        }
    }
}
