package io.github.smtpscert;

import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;

/**
 * A send that failed. Catch {@link SmtpsCertTransientException} (retrying can help) or
 * {@link SmtpsCertPermanentException} (it cannot) in onException; {@link #isPossiblyDelivered()} is true when the
 * connection broke after the whole message was sent, so the server may have queued it and a retry could duplicate it.
 */
public abstract class SmtpsCertSendException extends CamelExchangeException {

    /** The SMTP reply code, or -1. */
    private final int replyCode;
    /** The whole message was sent and no reply came. */
    private final boolean possiblyDelivered;

    /**
     * @param message           what failed and how to fix it
     * @param exchange          the exchange that failed
     * @param cause             the underlying failure, or null
     * @param replyCode         the SMTP reply code, or -1
     * @param possiblyDelivered true when the server may hold the message (the final dot was sent, no reply came)
     */
    protected SmtpsCertSendException(String message, Exchange exchange, Throwable cause, int replyCode,
                                     boolean possiblyDelivered) {
        super(message, exchange, cause);
        this.replyCode = replyCode;
        this.possiblyDelivered = possiblyDelivered;
    }

    /**
     * For onException(...).retryWhile(...): true when the exchange's current failure is transient and the server
     * cannot hold the message. Checks the current exception on every attempt, because Camel keeps the clause it chose
     * at the first failure for all later attempts.
     *
     * @param exchange the exchange being redelivered
     * @return whether sending it again is safe and can help
     */
    public static boolean isSafeToRetry(Exchange exchange) {
        return exchange.getException() instanceof SmtpsCertSendException e && e.isTransient() && !e.isPossiblyDelivered();
    }

    /** @return whether retrying the same message later can succeed */
    public abstract boolean isTransient();

    /** @return the SMTP reply code that refused the message, or -1 when the failure was not an SMTP reply */
    public int getReplyCode() {
        return replyCode;
    }

    /** @return true when the connection broke after the whole message was sent: a retry could duplicate it */
    public boolean isPossiblyDelivered() {
        return possiblyDelivered;
    }
}
