package io.github.smtpscert.internal.pool;

/** Every connection allowed for a key stayed leased for the whole lease timeout. */
public final class PoolExhaustedException extends Exception {

    private final int max;
    private final long waitedMillis;

    PoolExhaustedException(int max, long waitedMillis) {
        super("all " + max + " connections stayed in use for " + waitedMillis + " ms");
        this.max = max;
        this.waitedMillis = waitedMillis;
    }

    public int max() {
        return max;
    }

    public long waitedMillis() {
        return waitedMillis;
    }
}
