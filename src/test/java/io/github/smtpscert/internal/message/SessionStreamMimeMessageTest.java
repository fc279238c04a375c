package io.github.smtpscert.internal.message;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Properties;

import jakarta.activation.DataHandler;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SessionStreamMimeMessage writes exactly the bytes MimeMessage.writeTo writes for the same message. */
class SessionStreamMimeMessageTest {

    private static final Session SESSION = Session.getInstance(new Properties());
    private static final String[] IGNORE = { "Bcc", "Content-Length" };

    private interface Filler {
        void fill(MimeMessage message) throws Exception;
    }

    /** The same message built twice, once as each class, with the same Message-ID and Date; both outputs. */
    private static byte[][] writeBoth(Filler filler, boolean itself) throws Exception {
        MimeMessage plain = new MimeMessage(SESSION);
        MimeMessage ours = new SessionStreamMimeMessage(SESSION);
        byte[][] out = new byte[2][];
        int i = 0;
        for (MimeMessage m : new MimeMessage[] { plain, ours }) {
            m.setFrom(new InternetAddress("sender@example.org"));
            m.setRecipient(RecipientType.TO, new InternetAddress("rcpt@example.org"));
            m.setRecipient(RecipientType.BCC, new InternetAddress("hidden@example.org"));
            m.setSubject("Grüße", "UTF-8");
            m.setSentDate(new Date(1_700_000_000_000L));
            filler.fill(m);
            m.saveChanges();
            m.setHeader("Message-ID", "<fixed@example.org>");
            if (m instanceof SessionStreamMimeMessage built) {
                assertEquals(itself, built.writesItself(), "writes itself");
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            m.writeTo(bytes, IGNORE);
            out[i++] = bytes.toByteArray();
        }
        return out;
    }

    private static void assertSame(Filler filler) throws Exception {
        assertSame(filler, true);
    }

    private static void assertSame(Filler filler, boolean itself) throws Exception {
        byte[][] out = writeBoth(filler, itself);
        assertArrayEquals(out[0], out[1], () -> "MimeMessage wrote:\n" + new String(out[0], StandardCharsets.UTF_8)
                                                + "\nSessionStreamMimeMessage wrote:\n"
                                                + new String(out[1], StandardCharsets.UTF_8));
        assertTrue(out[1].length > 0);
    }

    @Test
    void plainAsciiText() throws Exception {
        assertSame(m -> m.setText("x".repeat(1000) + "\nsecond line\n", "UTF-8"));
    }

    @Test
    void textNeedingQuotedPrintable() throws Exception {
        assertSame(m -> m.setText("Grüße aus Zürich, " + "€".repeat(100) + "\n", "UTF-8"));
    }

    @Test
    void explicitQuotedPrintableAndBase64Encodings() throws Exception {
        assertSame(m -> {
            m.setText("line one\nline two ends in spaces   \n" + "y".repeat(200), "UTF-8");
            m.setHeader("Content-Transfer-Encoding", "quoted-printable");
        });
        byte[] binary = new byte[3000];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 31);
        }
        assertSame(m -> {
            m.setDataHandler(new DataHandler(new ByteArrayDataSource(binary, "application/octet-stream")));
            m.setHeader("Content-Transfer-Encoding", "base64");
        });
    }

    @Test
    void htmlAndBinaryAsTheyAreChosen() throws Exception {
        assertSame(m -> m.setContent("<p>" + "z".repeat(2000) + "</p>", "text/html; charset=UTF-8"));
        assertSame(m -> m.setDataHandler(new DataHandler(new ByteArrayDataSource(new byte[] { 0, 1, 2, (byte) 255 },
                "application/octet-stream"))));
    }

    @Test
    void multipartIsLeftToMimeMessage() throws Exception {
        assertSame(m -> {
            MimeMultipart mixed = new MimeMultipart("mixed") {
                {
                    contentType = "multipart/mixed; boundary=\"fixed-boundary\""; // the same in both messages
                }
            };
            MimeBodyPart text = new MimeBodyPart();
            text.setText("body", "UTF-8");
            mixed.addBodyPart(text);
            MimeBodyPart attachment = new MimeBodyPart();
            attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(new byte[] { 1, 2, 3 },
                    "application/octet-stream")));
            attachment.setFileName("a.bin");
            mixed.addBodyPart(attachment);
            m.setContent(mixed);
        }, false);
    }

    @Test
    void unknownEncodingIsLeftToMimeMessage() throws Exception {
        assertSame(m -> {
            m.setText("uu", "US-ASCII");
            m.setHeader("Content-Transfer-Encoding", "x-uuencode");
        }, false);
    }
}
