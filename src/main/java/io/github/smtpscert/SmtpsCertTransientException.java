package io.github.smtpscert;

import org.apache.camel.Exchange;

/** SMTP 4xx replies, I/O errors, timeouts, a busy pool: the same message may go through if sent again later. */
public class SmtpsCertTransientException extends SmtpsCertSendException {

    public SmtpsCertTransientException(String message, Exchange exchange, Throwable cause, int replyCode,
                                       boolean possiblyDelivered) {
        super(message, exchange, cause, replyCode, possiblyDelivered);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
