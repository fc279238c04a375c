package io.github.smtpscert;

import org.apache.camel.Exchange;

/** SMTP 4xx replies, I/O errors, timeouts, a busy pool: the same message may go through if sent again later. */
public class SmtpsCertTransientException extends SmtpsCertSendException {

    /**
     * @param message   what failed and how to fix it
     * @param exchange  the exchange that failed
     * @param cause     the underlying failure, or null
     * @param replyCode the SMTP reply code, or -1
     * @param possiblyDelivered true when the server may hold the message (the final dot was sent, no reply came)
     */
    public SmtpsCertTransientException(String message, Exchange exchange, Throwable cause, int replyCode,
                                       boolean possiblyDelivered) {
        super(message, exchange, cause, replyCode, possiblyDelivered);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
