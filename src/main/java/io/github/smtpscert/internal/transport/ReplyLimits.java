package io.github.smtpscert.internal.transport;

/**
 * What a server may make us read for one reply (everything it sends between two of our writes): at most
 * {@code maxReplyBytes}, lines of at most {@code maxLineBytes} while the connection is still plaintext (under TLS
 * only the total is visible), and all of it within {@code timeoutMillis} of our last write.
 */
record ReplyLimits(int maxReplyBytes, int maxLineBytes, int timeoutMillis, String server) {

    /** SMTP allows 512 octets per reply line (RFC 5321 4.5.3.1.5); the slack is for servers that stretch it. */
    static final int MAX_LINE_BYTES = 4096;
    /** A multi-line EHLO reply is under 1 KB; a server's TLS flight with its certificate chain well under this. */
    static final int MAX_REPLY_BYTES = 64 * 1024;

    static ReplyLimits of(ServerSettings server) {
        return new ReplyLimits(MAX_REPLY_BYTES, MAX_LINE_BYTES, server.timeout(), server.address());
    }
}
