package io.github.smtpscert;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Input meant to break the mail or smuggle headers: refused with an error naming the input, and nothing sent. */
class HostileInputTest {

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

    private String uri(String options) {
        return f.uri("keyStore=" + f.aliceP12 + "&keyStorePassword=" + MtlsFixture.PW + (options.isEmpty() ? "" : "&" + options));
    }

    private Exchange send(String options, Map<String, Object> headers, Object body) {
        return ctx.createProducerTemplate().send(uri(options), e -> {
            e.getMessage().setHeaders(new java.util.HashMap<>(headers));
            e.getMessage().setBody(body);
        });
    }

    private List<Delivery> since(int before) {
        List<Delivery> all = f.server.deliveries();
        return all.subList(before, all.size());
    }

    @ParameterizedTest(name = "{0} header with {1}")
    @CsvSource({
        "Subject, useHeaderSubject=true, Subject header",
        "To, useHeaderRecipients=true, To header",
        "Cc, useHeaderRecipients=true, Cc header",
        "From, useHeaderFrom=true, From header"})
    void lineBreaksInHeadersAreRefused(String header, String option, String named) {
        int before = f.server.deliveries().size();
        String value = "Subject".equals(header) ? "hi\r\nBcc: victim@example.org" : "a@example.org\r\nBcc: victim@example.org";
        Exchange ex = send(option, Map.of(header, value), "body");

        SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
        assertTrue(e.getMessage().contains(named) && e.getMessage().contains("line break"), e.getMessage());
        assertEquals(List.of(), since(before), "nothing sent");
    }

    @ParameterizedTest(name = "URI option {0}")
    @CsvSource({"subject", "to", "cc", "from"})
    void lineBreaksInUriOptionsStopTheEndpoint(String option) {
        int before = f.server.deliveries().size();
        String value = "subject".equals(option) ? "hi%0D%0ABcc:%20victim@example.org" : "a@example.org%0D%0ABcc:victim@example.org";
        Exception e = assertThrows(Exception.class,
                () -> ctx.createProducerTemplate().sendBody(uri(option + "=" + value).replace("&" + option + "=rcpt@example.org", "")
                        .replace("&" + option + "=sender@example.org", "").replace("&subject=hello&", "&"), "body"));
        String message = allMessages(e);
        assertTrue(message.contains(option + "=") && message.contains("line break"), message);
        assertEquals(List.of(), since(before));
    }

    @Test
    void exchangeHeadersAreNotCopiedIntoTheMail() throws Exception {
        int before = f.server.deliveries().size();
        Exchange ex = send("", Map.of("Bcc", "victim@example.org", "X-Evil", "yes", "To", "other@example.org"), "body");

        assertNull(ex.getException());
        Delivery delivery = since(before).get(0);
        assertEquals(List.of("rcpt@example.org"), delivery.envelopeRecipients());
        assertNull(delivery.message().getHeader("X-Evil"));
        assertNull(delivery.message().getHeader("Bcc"));
    }

    @Test
    void invalidAddressIsRefusedNamingIt() {
        int before = f.server.deliveries().size();
        Exchange ex = send("useHeaderRecipients=true", Map.of("To", "not an address@@example"), "body");

        SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
        assertTrue(e.getMessage().contains("To header") && e.getMessage().contains("not an address@@example"), e.getMessage());
        assertEquals(List.of(), since(before));
    }

    @Test
    void nonAsciiLocalPartIsRefusedWithoutSmtpUtf8() {
        // no SMTPUTF8 support, so a non-ASCII address is refused before anything is sent
        int before = f.server.deliveries().size();
        Exchange ex = send("useHeaderRecipients=true", Map.of("To", "jörg@example.org"), "body");

        SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
        assertTrue(e.getMessage().contains("To header") && e.getMessage().contains("jörg@example.org")
                   && e.getMessage().contains("SMTPUTF8"), e.getMessage());
        assertEquals(List.of(), since(before));
    }

    @Test
    void nonAsciiDisplayNameIsEncodedNotRefused() throws Exception {
        int before = f.server.deliveries().size();
        Exchange ex = send("useHeaderRecipients=true", Map.of("To", "Jörg Müller <joerg@example.org>"), "body");

        assertNull(ex.getException());
        MimeMessage received = since(before).get(0).message();
        String to = received.getHeader("To")[0];
        assertTrue(to.startsWith("=?UTF-8?") && to.endsWith("<joerg@example.org>"), "RFC 2047 encoded: " + to);
        assertEquals("Jörg Müller", ((jakarta.mail.internet.InternetAddress) received.getRecipients(
                jakarta.mail.Message.RecipientType.TO)[0]).getPersonal());
    }

    @Test
    void internationalSubjectAndBodyRoundTrip() throws Exception {
        int before = f.server.deliveries().size();
        String subject = "Grüße – テスト – 🚀";
        String body = "Zoë says привет, 你好 and 👋\n";
        Exchange ex = send("useHeaderSubject=true", Map.of("Subject", subject), body);

        assertNull(ex.getException());
        MimeMessage received = since(before).get(0).message();
        assertEquals(subject, received.getSubject());
        assertTrue(received.getHeader("Subject")[0].startsWith("=?UTF-8?"), "RFC 2047 encoded: " + received.getHeader("Subject")[0]);
        assertEquals(body.strip(), String.valueOf(received.getContent()).strip());
    }

    @Test
    void emptyAndNullBodiesAreSentAsEmptyText() throws Exception {
        int before = f.server.deliveries().size();
        assertNull(send("", Map.of(), "").getException());
        assertNull(send("", Map.of(), null).getException());

        List<Delivery> received = since(before);
        assertEquals(2, received.size());
        for (Delivery d : received) {
            assertEquals("", String.valueOf(d.message().getContent()).strip());
        }
    }

    @Test
    void twentyMegabytesArriveIntact() throws Exception {
        int before = f.server.deliveries().size();
        byte[] body = new byte[20 * 1024 * 1024];
        new Random(7).nextBytes(body);
        Exchange ex = send("contentType=application/octet-stream", Map.of(), body);

        assertNull(ex.getException());
        try (InputStream in = since(before).get(0).message().getInputStream()) {
            assertArrayEquals(sha256(body), sha256(in.readAllBytes()));
        }
    }

    @Test
    void unknownContentTypeIsSentAsBytes() throws Exception {
        int before = f.server.deliveries().size();
        byte[] body = {0, 1, 2, (byte) 0xff, 'x'};
        Exchange ex = send("contentType=application/x-foo", Map.of(), body);

        assertNull(ex.getException());
        MimeMessage received = since(before).get(0).message();
        assertTrue(received.getContentType().startsWith("application/x-foo"), received.getContentType());
        try (InputStream in = received.getInputStream()) {
            assertArrayEquals(body, in.readAllBytes());
        }
    }

    @Test
    void malformedContentTypeIsRefusedNamingTheOption() {
        int before = f.server.deliveries().size();
        Exception e = assertThrows(Exception.class, () -> ctx.createProducerTemplate().sendBody(uri("contentType=text/"), "b"));
        String message = allMessages(e);
        assertTrue(message.contains("contentType=text/"), message);
        assertEquals(List.of(), since(before));
    }

    private static String allMessages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

}
