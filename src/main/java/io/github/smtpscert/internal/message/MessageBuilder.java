package io.github.smtpscert.internal.message;

import java.io.File;
import java.io.InputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.smtpscert.internal.ConfigurationProblem;
import jakarta.activation.DataHandler;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParseException;
import jakarta.mail.util.ByteArrayDataSource;
import org.apache.camel.Exchange;
import org.apache.camel.TypeConversionException;
import org.apache.camel.WrappedFile;
import org.apache.camel.attachment.Attachment;
import org.apache.camel.attachment.AttachmentMessage;

/**
 * Turns an exchange into a MimeMessage, all of it before any byte goes to the server: a message that cannot be built
 * (bad address, header injection, unknown charset) fails here and nothing is sent.
 */
public final class MessageBuilder {

    /** The message options, as given. */
    public record Options(String from, String to, String cc, String bcc, String replyTo, String subject,
                          String contentType, String charset, boolean useHeaderRecipients, boolean useHeaderFrom,
                          boolean useHeaderSubject) {
    }

    private static final boolean ATTACHMENTS_ON_CLASSPATH = isPresent("org.apache.camel.attachment.AttachmentMessage");

    private final Options config;
    // parsed once: a mistake shows at route start, and exchanges do not parse the same options again
    private final InternetAddress[] from;
    private final InternetAddress[] to;
    private final InternetAddress[] cc;
    private final InternetAddress[] bcc;
    private final InternetAddress[] replyTo;
    private final ContentType contentType;
    private final String charset;
    private final Charset javaCharset;

    /** Checks the configured addresses, subject, content type and charset. */
    public MessageBuilder(Options config) {
        this.config = config;
        this.from = addresses("from", config.from());
        this.to = addresses("to", config.to());
        this.cc = addresses("cc", config.cc());
        this.bcc = addresses("bcc", config.bcc());
        this.replyTo = addresses("replyTo", config.replyTo());
        noLineBreaks("subject", config.subject());
        this.contentType = parseContentType(config.contentType());
        // the subject always uses the charset option, the body the content type's charset if it names one
        Charset optionCharset = javaCharset("charset", config.charset(), config.charset());
        String typeCharset = contentType.getParameter("charset");
        this.charset = typeCharset != null ? typeCharset : config.charset();
        this.javaCharset = typeCharset != null
                ? javaCharset("contentType", config.contentType(), typeCharset)
                : optionCharset;
    }

    public MimeMessage createMessage(Exchange exchange, Session session) throws MessagingException {
        org.apache.camel.Message in = exchange.getMessage();
        if (in.getBody() instanceof MimeMessage ready) {
            if (ready.getAllRecipients() == null || ready.getAllRecipients().length == 0) {
                throw ConfigurationProblem.of("body", "MimeMessage", "the message has no recipients",
                        "Fix: set To, Cc or Bcc on the MimeMessage");
            }
            return ready;
        }
        MimeMessage message = new SessionStreamMimeMessage(session);
        InternetAddress[] sender = config.useHeaderFrom() && in.getHeader("From") != null
                ? addresses("From header", in.getHeader("From", String.class))
                : from;
        if (sender.length == 0) {
            throw ConfigurationProblem.of("from", null, "no sender is set",
                    "Fix: set the from option (or useHeaderFrom=true and a From header)");
        }
        message.addFrom(sender);
        int recipients = 0;
        recipients += recipients(message, in, RecipientType.TO, "To", to);
        recipients += recipients(message, in, RecipientType.CC, "Cc", cc);
        recipients += recipients(message, in, RecipientType.BCC, "Bcc", bcc);
        if (recipients == 0) {
            throw ConfigurationProblem.of("to", null, "no recipient is set",
                    "Fix: set to, cc or bcc (or useHeaderRecipients=true and To/Cc/Bcc headers)");
        }
        if (replyTo.length > 0) {
            message.setReplyTo(replyTo);
        }
        String subject = config.useHeaderSubject() && in.getHeader("Subject") != null
                ? in.getHeader("Subject", String.class)
                : config.subject();
        if (subject != null) {
            noLineBreaks(config.useHeaderSubject() ? "Subject header" : "subject", subject);
            message.setSubject(subject, config.charset());
        }
        if (ATTACHMENTS_ON_CLASSPATH && Attachments.has(exchange)) {
            MimeMultipart mixed = new MimeMultipart("mixed");
            MimeBodyPart text = new MimeBodyPart();
            setBody(text, in);
            mixed.addBodyPart(text);
            Attachments.addTo(mixed, exchange);
            message.setContent(mixed);
        } else {
            setBody(message, in);
        }
        return message;
    }

    private void setBody(MimePart part, org.apache.camel.Message in) throws MessagingException {
        ContentType type = contentType;
        boolean text = "text".equalsIgnoreCase(type.getPrimaryType());
        Object raw = in.getBody();
        StreamedBody streamed = streamed(raw, text ? withCharset(type, charset) : type.toString());
        if (streamed != null) {
            part.setDataHandler(new DataHandler(streamed));
            // chosen here, so that Angus does not read the whole body to choose (saveChanges would); quoted-printable
            // keeps mostly-ASCII text readable and turns its line breaks into CRLF, base64 keeps other bytes exact
            part.setHeader("Content-Transfer-Encoding", text ? "quoted-printable" : "base64");
            return;
        }
        try {
            if (text) {
                String body = in.getBody(String.class);
                part.setDataHandler(new DataHandler(new TextBody(body == null ? "" : body, javaCharset,
                        withCharset(type, charset))));
            } else {
                byte[] body = in.getBody(byte[].class);
                part.setDataHandler(new DataHandler(new ByteArrayDataSource(body == null ? new byte[0] : body, type.toString())));
            }
        } catch (TypeConversionException e) {
            throw unreadable(raw, e);
        }
    }

    /** An InputStream or file body, to be read while the mail is written; null for any other body. */
    private static StreamedBody streamed(Object body, String contentType) {
        if (body instanceof InputStream stream) {
            if (StreamedBody.alreadyRead(stream)) {
                throw ConfigurationProblem.of("body", typeName(body), "was already read by an earlier attempt to send "
                        + "(a redelivery, or another endpoint), and a plain InputStream cannot be read twice",
                        "Fix: enable stream caching on the route (Camel's default for routes), or give the body as "
                        + "byte[], String or a file");
            }
            return StreamedBody.of(stream, contentType);
        }
        if (body instanceof WrappedFile<?> wrapped && wrapped.getFile() instanceof File file) {
            return StreamedBody.of(file.toPath(), contentType);
        }
        if (body instanceof File file) {
            return StreamedBody.of(file.toPath(), contentType);
        }
        if (body instanceof Path file) {
            return StreamedBody.of(file, contentType);
        }
        return null;
    }

    private static String withCharset(ContentType type, String charset) {
        ContentType copy = new ContentType(type.getPrimaryType(), type.getSubType(), type.getParameterList());
        copy.setParameter("charset", charset);
        return copy.toString();
    }

    /**
     * The failure to report when reading the body failed, at build time or while it was written (the failure's cause
     * chain then holds {@link StreamedBody.UnreadableBody}); null when the failure has nothing to do with the body.
     */
    public static ConfigurationProblem unreadableBody(Throwable failure, Exchange exchange) {
        for (Throwable t = failure; t != null; t = next(t)) {
            if (t instanceof StreamedBody.UnreadableBody) {
                return unreadable(exchange.getMessage().getBody(), t.getCause());
            }
        }
        return null;
    }

    /**
     * Names the innermost cause, one line and short. Camel's TypeConversionException quotes the value it was given,
     * the body, so it is described by its types and kept out of the cause chain.
     */
    private static ConfigurationProblem unreadable(Object body, Throwable e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = next(t)) {
            root = t;
        }
        String reason;
        if (root instanceof TypeConversionException conversion) {
            reason = "no conversion from " + typeName(conversion.getFromType()) + " to "
                     + typeName(conversion.getToType());
            root = null;
        } else if (root == null) {
            reason = "unknown reason";
        } else {
            String message = root.getMessage() == null ? "" : ": " + root.getMessage();
            reason = printable(root.getClass().getSimpleName() + message);
            reason = reason.length() > 200 ? reason.substring(0, 200) + "..." : reason;
        }
        return ConfigurationProblem.of("body", typeName(body), "the body cannot be read (" + reason + ")",
                "Fix: check what the body comes from (stream, file or type converter); the server received no complete "
                + "message, so nothing was delivered", root);
    }

    private static Throwable next(Throwable t) {
        Throwable next = t instanceof MessagingException m && m.getNextException() != null
                ? m.getNextException()
                : t.getCause();
        return next == t ? null : next;
    }

    private static String typeName(Object body) {
        if (body == null) {
            return "null";
        }
        Class<?> type = body instanceof Class<?> c ? c : body.getClass();
        return type.getSimpleName().isEmpty() ? type.getName() : type.getSimpleName();
    }

    private static Charset javaCharset(String option, String input, String mimeCharset) {
        try {
            return Charset.forName(MimeUtility.javaCharset(mimeCharset));
        } catch (IllegalArgumentException e) {
            throw ConfigurationProblem.of(option, input, "the charset " + mimeCharset + " is not supported by this JVM",
                    "Fix: use a charset such as UTF-8 or ISO-8859-1", e);
        }
    }

    private static ContentType parseContentType(String contentType) {
        try {
            return new ContentType(contentType);
        } catch (ParseException e) {
            throw ConfigurationProblem.of("contentType", contentType, "is not a MIME type",
                    "Fix: use a type such as text/plain or text/html", e);
        }
    }

    private int recipients(MimeMessage message, org.apache.camel.Message in, RecipientType type, String header,
                           InternetAddress[] configured) throws MessagingException {
        InternetAddress[] addresses = config.useHeaderRecipients() && in.getHeader(header) != null
                ? addresses(header + " header", in.getHeader(header, String.class))
                : configured;
        if (addresses.length > 0) {
            message.setRecipients(type, addresses);
        }
        return addresses.length;
    }

    /** Parses a comma-separated address list strictly; errors name the option and the bad address. */
    static InternetAddress[] addresses(String option, String list) {
        if (list == null || list.isBlank()) {
            return new InternetAddress[0];
        }
        noLineBreaks(option, list);
        try {
            InternetAddress[] parsed = InternetAddress.parse(list, true);
            for (int i = 0; i < parsed.length; i++) {
                parsed[i].validate();
                if (!StandardCharsets.US_ASCII.newEncoder().canEncode(parsed[i].getAddress())) {
                    // a UTF-8 mailbox in RCPT TO needs SMTPUTF8 (RFC 6531), which this component does not negotiate
                    throw ConfigurationProblem.of(option, list,
                            "the address " + parsed[i].getAddress() + " has non-ASCII characters, which need SMTPUTF8 (not supported)",
                            "Fix: use an ASCII address; display names may be non-ASCII");
                }
                // re-encode the display name (RFC 2047) so no raw non-ASCII reaches a header
                parsed[i] = new InternetAddress(parsed[i].getAddress(), parsed[i].getPersonal(), "UTF-8");
            }
            return parsed;
        } catch (AddressException e) {
            throw ConfigurationProblem.of(option, list, "invalid e-mail address (" + e.getMessage() + ")",
                    "Fix: use addresses like someone@example.org or \"Some One\" <someone@example.org>, comma separated", e);
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
    }

    /** CR or LF in a header value would let the input add headers of its own (header injection). */
    static void noLineBreaks(String option, String value) {
        if (hasLineBreak(value)) {
            throw ConfigurationProblem.of(option, null, "contains a line break (CR or LF), which could inject mail headers",
                    "Fix: remove line breaks from the value");
        }
    }

    private static boolean hasLineBreak(String value) {
        return value != null && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0);
    }

    /**
     * A header name goes on the wire as it is, before the colon: it must be an RFC 5322 field name (printable ASCII
     * other than the colon), or it could end the header early, add one of its own or forge another's value.
     */
    static void fieldName(String name, String attachment) {
        String where = ", in attachment " + printable(attachment);
        if (hasLineBreak(name)) {
            throw ConfigurationProblem.of("attachment header name", printable(name),
                    "contains a line break (CR or LF), which could inject mail headers" + where,
                    "Fix: remove line breaks from the header name");
        }
        boolean valid = name != null && !name.isEmpty();
        for (int i = 0; valid && i < name.length(); i++) {
            char c = name.charAt(i);
            valid = c > ' ' && c < 127 && c != ':';
        }
        if (!valid) {
            throw ConfigurationProblem.of("attachment header name", printable(name),
                    "is not a header field name (printable ASCII without spaces or ':')" + where,
                    "Fix: use a name such as X-Report-Id");
        }
    }

    /** The text with CR, LF and other control characters written as escapes, so an error message stays one line. */
    static String printable(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, MessageBuilder.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Only loaded when camel-attachments is on the classpath. The exchange's message is usually a plain message whose
     * attachments are only visible through exchange.getMessage(AttachmentMessage.class), so never test instanceof.
     */
    private static final class Attachments {
        static boolean has(Exchange exchange) {
            return exchange.getMessage(AttachmentMessage.class).hasAttachments();
        }

        static void addTo(MimeMultipart multipart, Exchange exchange) throws MessagingException {
            for (Map.Entry<String, Attachment> entry
                    : exchange.getMessage(AttachmentMessage.class).getAttachmentObjects().entrySet()) {
                String fileName = entry.getKey();
                if (hasLineBreak(fileName)) {
                    throw ConfigurationProblem.of("attachment file name", printable(fileName),
                            "contains a line break (CR or LF), which could inject mail headers",
                            "Fix: remove line breaks from the attachment's name");
                }
                MimeBodyPart part = new MimeBodyPart();
                part.setDataHandler(entry.getValue().getDataHandler());
                part.setFileName(fileName);
                part.setDisposition(MimePart.ATTACHMENT);
                for (String name : entry.getValue().getHeaderNames()) {
                    fieldName(name, fileName);
                    List<String> values = new ArrayList<>(entry.getValue().getHeaderAsList(name));
                    for (String value : values) {
                        noLineBreaks("attachment header " + name, value);
                        part.addHeader(name, value);
                    }
                }
                multipart.addBodyPart(part);
            }
        }
    }

}
