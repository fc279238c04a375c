package io.github.smtpscert;

import org.apache.camel.spi.Metadata;

/** Exchange headers read or written by the smtps-cert producer. */
public final class SmtpsCertConstants {

    /** The Message-ID of the mail that was sent. */
    @Metadata(label = "producer", description = "The Message-ID of the mail that was sent.", javaType = "String")
    public static final String MESSAGE_ID = "CamelSmtpsCertMessageId";

    /** Subject DN of the client certificate presented to the server; absent when the TLS session was anonymous. */
    @Metadata(label = "producer",
              description = "Subject DN of the client certificate presented to the server; absent when the TLS session was anonymous.",
              javaType = "String")
    public static final String CLIENT_CERTIFICATE = "CamelSmtpsCertClientCertificate";

    /** Whether the TLS session of the connection that carried the message was resumed rather than fully negotiated. */
    @Metadata(label = "producer",
              description = "Whether the TLS session of the connection that carried the message was resumed rather than fully negotiated.",
              javaType = "Boolean")
    public static final String SESSION_RESUMED = "CamelSmtpsCertSessionResumed";

    /** Picks the key entry of the configured keyStore for this exchange. Read only when allowIdentityFromHeader=true. */
    @Metadata(label = "producer",
              description = "Picks the key entry of the configured keyStore for this exchange. Read only when allowIdentityFromHeader=true.",
              javaType = "String")
    public static final String KEY_ALIAS = "CamelSmtpsCertKeyAlias";

    /** Recipients the server rejected (comma separated), set when some or all recipients were refused. */
    @Metadata(label = "producer",
              description = "Recipients the server rejected (comma separated), set when some or all recipients were refused.",
              javaType = "String")
    public static final String REJECTED_RECIPIENTS = "CamelSmtpsCertRejectedRecipients";

    private SmtpsCertConstants() {
    }
}
