package io.github.smtpscert.pool;

/** Every connection allowed for an identity stayed busy for the whole wait. Transient: a retry later can succeed. */
public class PoolExhaustedException extends Exception {

    public PoolExhaustedException(String key, int max, long waitedMillis) {
        super("all " + max + " pooled connections for identity " + shortKey(key) + " stayed busy for " + waitedMillis
              + " ms. Fix: raise poolMaxConnections or connectionTimeout, or send with fewer concurrent threads");
    }

    private static String shortKey(String key) {
        return key.length() > 16 ? "sha256:" + key.substring(0, 16) + "…" : key;
    }
}
