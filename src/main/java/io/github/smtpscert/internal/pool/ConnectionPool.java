package io.github.smtpscert.internal.pool;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Keeps connections open per key between uses. Time comes from an injected clock so that eviction can be tested with
 * plain numbers. Leasing checks, in order: local liveness, idle timeout, then {@link Poolable#validate()} only when the
 * connection has been idle longer than validateAfterInactivity. Closing happens outside the lock.
 */
public final class ConnectionPool<C extends Poolable> implements AutoCloseable {

    /** Opens a new connection. */
    @FunctionalInterface
    public interface Connector<C> {
        C connect() throws Exception;
    }

    public record Settings(int maxPerKey, long idleTimeoutMillis, long validateAfterInactivityMillis,
                           int maxUsesPerConnection, long leaseTimeoutMillis) {
    }

    /** A leased connection with its bookkeeping. */
    public static final class Lease<C> {
        private final String key;
        private final C connection;
        private final long epoch;
        private long releasedAt;
        private int uses;

        Lease(String key, C connection, long createdAt, long epoch) {
            this.key = key;
            this.connection = connection;
            this.releasedAt = createdAt;
            this.epoch = epoch;
        }

        public C connection() {
            return connection;
        }

        /** How many uses this connection had before the current lease. */
        public int uses() {
            return uses;
        }
    }

    /** Open and idle counts for one key. */
    public record Counts(int open, int idle) {
    }

    private final Settings settings;
    private final LongSupplier clock;
    private final Map<String, Deque<Lease<C>>> idle = new HashMap<>();
    private final Map<String, Integer> open = new HashMap<>();
    private boolean closed;
    private long epoch; // connections opened before the last retireAll() are never reused

    public ConnectionPool(Settings settings, LongSupplier clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Returns an idle connection that passed its checks, or a new one; waits while the key is at its maximum.
     *
     * @throws PoolClosedException after {@link #close()}
     * @throws PoolExhaustedException when the key stayed at its maximum for the whole lease timeout
     */
    public Lease<C> lease(String key, Connector<C> connector) throws Exception {
        // waiting is real concurrency, so it uses real time; the injected clock drives idle and validation ages
        long deadline = System.nanoTime() + settings.leaseTimeoutMillis() * 1_000_000L;
        while (true) {
            List<Lease<C>> stale = new ArrayList<>();
            Lease<C> candidate;
            boolean mayOpen = false;
            synchronized (this) {
                if (closed) {
                    throw new PoolClosedException();
                }
                candidate = takeIdle(key, clock.getAsLong(), stale);
                if (candidate == null) {
                    int count = open.getOrDefault(key, 0);
                    if (count < settings.maxPerKey()) {
                        open.put(key, count + 1);
                        mayOpen = true;
                    } else if (stale.isEmpty()) {
                        long waitNanos = deadline - System.nanoTime();
                        if (waitNanos <= 0) {
                            throw new PoolExhaustedException(settings.maxPerKey(), settings.leaseTimeoutMillis());
                        }
                        wait(Math.max(1, Math.min(waitNanos / 1_000_000L, 100)));
                    }
                }
            }
            stale.forEach(lease -> lease.connection.close());
            if (candidate != null) {
                if (needsValidation(candidate) && !candidate.connection.validate()) {
                    discard(candidate);
                    continue;
                }
                return candidate;
            }
            if (mayOpen) {
                long openedIn;
                synchronized (this) {
                    openedIn = epoch;
                }
                try {
                    return new Lease<>(key, connector.connect(), clock.getAsLong(), openedIn);
                } catch (Exception | Error e) {
                    synchronized (this) {
                        decrement(key);
                        notifyAll();
                    }
                    throw e;
                }
            }
        }
    }

    /** Gives a connection back: kept when reusable and under its use limit, closed otherwise. */
    public void release(Lease<C> lease, boolean reusable) {
        boolean keep;
        synchronized (this) {
            lease.uses++;
            lease.releasedAt = clock.getAsLong();
            keep = reusable && !closed && lease.epoch == epoch && lease.uses < settings.maxUsesPerConnection()
                   && lease.connection.isOpen();
            if (keep) {
                idle.computeIfAbsent(lease.key, k -> new ArrayDeque<>()).push(lease);
            } else {
                decrement(lease.key);
            }
            notifyAll();
        }
        if (!keep) {
            lease.connection.close();
        }
    }

    /** Closes connections idle for longer than the idle timeout; returns milliseconds until the next one is due. */
    public long evictIdle(long now) {
        List<Lease<C>> toClose = new ArrayList<>();
        long next = settings.idleTimeoutMillis();
        synchronized (this) {
            for (Deque<Lease<C>> deque : idle.values()) {
                for (var it = deque.iterator(); it.hasNext();) {
                    Lease<C> lease = it.next();
                    long idleFor = now - lease.releasedAt;
                    if (idleFor >= settings.idleTimeoutMillis()) {
                        it.remove();
                        decrement(lease.key);
                        toClose.add(lease);
                    } else {
                        next = Math.min(next, settings.idleTimeoutMillis() - idleFor);
                    }
                }
            }
            notifyAll();
        }
        toClose.forEach(lease -> lease.connection.close());
        return next;
    }

    /**
     * Retires every connection open now: the idle ones are closed at once, the leased ones when they are given back.
     * New leases open new connections. For a change of credentials: nothing made with the old ones is reused.
     */
    public void retireAll() {
        closeIdle(false);
    }

    /** Open (leased + idle) and idle connections per key. */
    public synchronized Map<String, Counts> counts() {
        Map<String, Counts> counts = new TreeMap<>();
        open.forEach((key, n) -> counts.put(key, new Counts(n, idle.getOrDefault(key, new ArrayDeque<>()).size())));
        return counts;
    }

    /** Closes every idle connection; connections still leased are closed when released. */
    @Override
    public void close() {
        closeIdle(true);
    }

    private void closeIdle(boolean andThePool) {
        List<Lease<C>> toClose = new ArrayList<>();
        synchronized (this) {
            closed |= andThePool;
            epoch++;
            idle.forEach((key, deque) -> {
                toClose.addAll(deque);
                deque.forEach(lease -> decrement(key));
            });
            idle.clear();
            notifyAll();
        }
        toClose.forEach(lease -> lease.connection.close());
    }

    /** One connection of the key fewer; a key with none is forgotten (lock held). */
    private void decrement(String key) {
        open.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
    }

    private void discard(Lease<C> lease) {
        synchronized (this) {
            decrement(lease.key);
            notifyAll();
        }
        lease.connection.close();
    }

    /** Pops the most recently used idle connection; stale ones go to the list to be closed (lock held). */
    private Lease<C> takeIdle(String key, long now, List<Lease<C>> stale) {
        Deque<Lease<C>> deque = idle.get(key);
        while (deque != null && !deque.isEmpty()) {
            Lease<C> lease = deque.pop();
            if (now - lease.releasedAt < settings.idleTimeoutMillis() && lease.connection.isOpen()) {
                return lease;
            }
            decrement(key);
            stale.add(lease);
        }
        return null;
    }

    private boolean needsValidation(Lease<C> lease) {
        return clock.getAsLong() - lease.releasedAt >= settings.validateAfterInactivityMillis();
    }
}
