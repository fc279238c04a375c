package io.github.smtpscert.internal.pool;

/** What the pool needs of a connection. */
public interface Poolable {

    /** A cheap local check (socket not closed); no network traffic. */
    boolean isOpen();

    /** A round trip to the peer, used only after the connection sat idle for a while. */
    boolean validate();

    /** Closes politely; never throws. */
    void close();
}
