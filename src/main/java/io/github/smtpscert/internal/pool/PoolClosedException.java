package io.github.smtpscert.internal.pool;

/** The pool was closed: it hands out no more connections. */
public final class PoolClosedException extends Exception {

    PoolClosedException() {
        super("the connection pool is closed");
    }
}
