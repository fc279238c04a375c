package io.github.smtpscert;

/** How TLS is started on the SMTP connection. Neither mode ever falls back to plaintext. */
public enum TlsMode {
    /** TLS from the first byte (SMTPS, usually port 465). */
    IMPLICIT,
    /** Plain connect, then STARTTLS, which the server must offer (usually port 587). */
    STARTTLS
}
