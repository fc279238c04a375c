package io.github.smtpscert.internal.transport;

/**
 * Why a send failed, worded for the user: transient or permanent, the SMTP reply code (-1 when none), whether the
 * server may hold the message, and the recipients it refused. The API package turns it into its public exceptions.
 */
public final class SendFailure extends Exception {

    private final boolean permanent;
    private final int replyCode;
    private final boolean possiblyDelivered;
    private final String rejectedRecipients;

    private SendFailure(String message, Throwable cause, boolean permanent, int replyCode, boolean possiblyDelivered,
                        String rejectedRecipients) {
        super(message, cause, false, false); // the API exception carries the stack trace
        this.permanent = permanent;
        this.replyCode = replyCode;
        this.possiblyDelivered = possiblyDelivered;
        this.rejectedRecipients = rejectedRecipients;
    }

    static SendFailure permanent(String message, Throwable cause, int replyCode) {
        return new SendFailure(message, cause, true, replyCode, false, null);
    }

    static SendFailure retryable(String message, Throwable cause, int replyCode) {
        return new SendFailure(message, cause, false, replyCode, false, null);
    }

    /** The whole message went out and no reply came: the server may have queued it. */
    static SendFailure possiblyDelivered(String message, Throwable cause, int replyCode) {
        return new SendFailure(message, cause, false, replyCode, true, null);
    }

    static SendFailure rejected(String message, Throwable cause, int replyCode, String rejectedRecipients) {
        return new SendFailure(message, cause, replyCode >= 500, replyCode, false, rejectedRecipients);
    }

    /** Nothing was sent because the endpoint is stopping. */
    static SendFailure stopping(Throwable cause) {
        return retryable("the smtps-cert endpoint is stopped or stopping; nothing was sent. Fix: none if the route is "
                         + "shutting down; otherwise send again once it has started", cause, -1);
    }

    /** The endpoint stopped during the transaction; after the final dot the server may hold the message. */
    static SendFailure stoppedDuring(Throwable cause, boolean afterFinalDot) {
        if (!afterFinalDot) {
            return stopping(cause);
        }
        return possiblyDelivered("the smtps-cert endpoint stopped after the whole message was sent and before the "
                                 + "server answered; the server may have queued it, so it was not resent. Check the "
                                 + "server's queue before retrying", cause, -1);
    }

    public boolean isPermanent() {
        return permanent;
    }

    public int replyCode() {
        return replyCode;
    }

    public boolean isPossiblyDelivered() {
        return possiblyDelivered;
    }

    /** Comma-separated recipients the server refused, or null. */
    public String rejectedRecipients() {
        return rejectedRecipients;
    }
}
