package io.github.smtpscert;

import org.apache.camel.Exchange;

/** SMTP 5xx replies, rejected recipients, TLS trust or host name failures, bad input: sending again will not help. */
public class SmtpsCertPermanentException extends SmtpsCertSendException {

    /**
     * @param message   what failed and how to fix it
     * @param exchange  the exchange that failed
     * @param cause     the underlying failure, or null
     * @param replyCode the SMTP reply code, or -1
     */
    public SmtpsCertPermanentException(String message, Exchange exchange, Throwable cause, int replyCode) {
        super(message, exchange, cause, replyCode, false);
    }

    @Override
    public boolean isTransient() {
        return false;
    }
}
