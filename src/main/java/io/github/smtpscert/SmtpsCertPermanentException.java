package io.github.smtpscert;

import org.apache.camel.Exchange;

/** SMTP 5xx replies, rejected recipients, TLS trust or host name failures, bad input: sending again will not help. */
public class SmtpsCertPermanentException extends SmtpsCertSendException {

    public SmtpsCertPermanentException(String message, Exchange exchange, Throwable cause, int replyCode) {
        super(message, exchange, cause, replyCode, false);
    }

    @Override
    public boolean isTransient() {
        return false;
    }
}
