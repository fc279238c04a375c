package io.github.smtpscert.internal.message;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Enumeration;
import java.util.Locale;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.LineOutputStream;
import jakarta.mail.util.StreamProvider;

/**
 * A message the component built, written with the StreamProvider its Session found once, when it was created.
 * <p>
 * Jakarta Mail 2.1's {@code MimeMessage.writeTo} writes a message it has not parsed through
 * {@code MimeBodyPart.writeTo}, which asks {@code StreamProvider.provider()} twice per message (for the header line
 * stream and, in {@code MimeUtility.encode}, for the transfer encoder), and each of those calls is a ServiceLoader
 * lookup (jakartaee/mail-api issue 861). This class writes the same bytes in the same order with
 * {@link Session#getStreamProvider()}: the header lines (but the ignored ones), an empty line, then the content through
 * the encoder its Content-Transfer-Encoding names. Anything it does not handle the same way (a multipart or message/*
 * content, a parsed body, another encoding, no session) goes to {@code MimeMessage.writeTo} unchanged. Nothing
 * JVM-wide is set: other code's messages are written as before.
 */
final class SessionStreamMimeMessage extends MimeMessage {

    // what MimeBodyPart.writeTo reads, once, from the same system property
    private static final boolean ALLOW_UTF8 = Boolean.parseBoolean(System.getProperty("mail.mime.allowutf8", "false"));

    SessionStreamMimeMessage(Session session) {
        super(session);
    }

    @Override
    public void writeTo(OutputStream os, String[] ignoreList) throws IOException, MessagingException {
        if (!saved) {
            saveChanges();
        }
        if (!writesItself()) {
            super.writeTo(os, ignoreList);
            return;
        }
        StreamProvider provider = session.getStreamProvider();
        DataHandler handler = getDataHandler();
        String encoding = getEncoding();
        LineOutputStream lines = os instanceof LineOutputStream given ? given : provider.outputLineStream(os, ALLOW_UTF8);
        Enumeration<String> headers = getNonMatchingHeaderLines(ignoreList);
        while (headers.hasMoreElements()) {
            lines.writeln(headers.nextElement());
        }
        lines.writeln();
        OutputStream body = encoder(provider, os, encoding);
        handler.writeTo(body);
        body.flush();
    }

    /** Whether writeTo writes this message itself (else MimeMessage.writeTo does); true once saved for a built text. */
    boolean writesItself() throws MessagingException {
        return saved && modified && session != null && session.getStreamProvider() != null
               && getDataHandler().getClass() == DataHandler.class && plainContent(getContentType())
               && knownEncoding(getEncoding());
    }

    /** Not multipart/* or message/*, whose encoding MimeBodyPart treats differently. */
    private static boolean plainContent(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            String primary = new ContentType(contentType).getPrimaryType().toLowerCase(Locale.ROOT);
            return !primary.equals("multipart") && !primary.equals("message");
        } catch (MessagingException e) {
            return false;
        }
    }

    private static boolean knownEncoding(String encoding) {
        if (encoding == null) {
            return true;
        }
        return switch (encoding.toLowerCase(Locale.ROOT)) {
            case "base64", "quoted-printable", "7bit", "8bit", "binary" -> true;
            default -> false;
        };
    }

    private static OutputStream encoder(StreamProvider provider, OutputStream os, String encoding) {
        if (encoding == null) {
            return os;
        }
        return switch (encoding.toLowerCase(Locale.ROOT)) {
            case "base64" -> provider.outputBase64(os);
            case "quoted-printable" -> provider.outputQP(os);
            default -> os; // 7bit, 8bit, binary: written as they are
        };
    }
}
