package io.github.smtpscert.internal.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool driven by a hand-set clock: no sockets, no sleeps. */
class ConnectionPoolTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final List<FakeConnection> opened = new ArrayList<>();

    private ConnectionPool<FakeConnection> pool(int max, int maxUses) {
        return new ConnectionPool<>(new ConnectionPool.Settings(max, 100, 20, maxUses, 50), now::get);
    }

    private FakeConnection open() {
        FakeConnection c = new FakeConnection();
        opened.add(c);
        return c;
    }

    @Test
    void releasedConnectionIsReusedForTheSameKey() throws Exception {
        ConnectionPool<FakeConnection> pool = pool(2, 100);
        var first = pool.lease("alice", this::open);
        pool.release(first, true);
        var second = pool.lease("alice", this::open);
        assertSame(first.connection(), second.connection());
        assertEquals(1, second.uses());
        assertEquals(1, opened.size());
    }

    @Test
    void keysNeverShareConnections() throws Exception {
        ConnectionPool<FakeConnection> pool = pool(2, 100);
        var alice = pool.lease("alice", this::open);
        pool.release(alice, true);
        var bob = pool.lease("bob", this::open);
        assertNotSame(alice.connection(), bob.connection());
        assertEquals(2, opened.size());
    }

    @Test
    void connectionsEvictedWhenIdleLongEnough() throws Exception {
        ConnectionPool<FakeConnection> pool = pool(2, 100);
        var lease = pool.lease("alice", this::open);
        pool.release(lease, true);
        assertEquals(50, pool.evictIdle(1_050)); // half-way: stays, next check due in 50
        assertFalse(lease.connection().closed);
        assertEquals(1, pool.counts().get("alice").idle());
        assertEquals(100, pool.evictIdle(1_100));
        assertTrue(lease.connection().closed);
        assertFalse(pool.counts().containsKey("alice"), "a key without connections is forgotten");
    }

    @Test
    void retiredConnectionsAreClosedIdleAtOnceLeasedOnReleaseAndNeverReused() throws Exception {
        ConnectionPool<FakeConnection> pool = pool(3, 100);
        var idle = pool.lease("alice", this::open);
        var busy = pool.lease("alice", this::open);
        pool.release(idle, true);
        pool.retireAll();
        assertTrue(idle.connection().closed, "idle connections close at once");
        assertFalse(busy.connection().closed, "a connection in use finishes what it is doing");
        var fresh = pool.lease("alice", this::open);
        assertNotSame(idle.connection(), fresh.connection());
        assertNotSame(busy.connection(), fresh.connection());
        pool.release(busy, true);
        assertTrue(busy.connection().closed, "given back after the retirement: closed, not kept");
        pool.release(fresh, true);
        assertFalse(fresh.connection().closed);
        assertSame(fresh.connection(), pool.lease("alice", this::open).connection(), "new connections are pooled");
        assertEquals(1, pool.counts().get("alice").open());
    }

    @Test
    void idleTooLongIsNotLeasedEvenBeforeEviction() throws Exception {
        ConnectionPool<FakeConnection> pool = pool(2, 100);
        var lease = pool.lease("alice", this::open);
        pool.release(lease, true);
        now.addAndGet(100);
        var next = pool.lease("alice", this::open);
        assertTrue(lease.connection().closed);
        assertNotSame(lease.connection(), next.connection());
    }

    @Test
    void validatedOnlyAfterInactivity() throws Exception {
        ConnectionPool<FakeConnection> pool = pool(2, 100);
        var lease = pool.lease("alice", this::open);
        pool.release(lease, true);
        now.addAndGet(19);
        pool.release(pool.lease("alice", this::open), true);
        assertEquals(0, lease.connection().validations);
        now.addAndGet(20);
        pool.release(pool.lease("alice", this::open), true);
        assertEquals(1, lease.connection().validations);
    }

    @Test
    void failedValidationReplacesTheConnection() throws Exception {
        ConnectionPool<FakeConnection> pool = pool(2, 100);
        var lease = pool.lease("alice", this::open);
        pool.release(lease, true);
        lease.connection().alive = false;
        now.addAndGet(30);
        var next = pool.lease("alice", this::open);
        assertTrue(lease.connection().closed);
        assertNotSame(lease.connection(), next.connection());
        assertEquals(1, pool.counts().get("alice").open());
    }

    @Test
    void locallyClosedSocketIsDroppedWithoutNoop() throws Exception {
        ConnectionPool<FakeConnection> pool = pool(2, 100);
        var lease = pool.lease("alice", this::open);
        pool.release(lease, true);
        lease.connection().socketOpen = false;
        var next = pool.lease("alice", this::open);
        assertNotSame(lease.connection(), next.connection());
        assertEquals(0, lease.connection().validations);
    }

    @Test
    void recycledAfterMaxUses() throws Exception {
        ConnectionPool<FakeConnection> pool = pool(2, 3);
        FakeConnection first = null;
        for (int i = 0; i < 3; i++) {
            var lease = pool.lease("alice", this::open);
            first = first == null ? lease.connection() : first;
            assertSame(first, lease.connection());
            pool.release(lease, true);
        }
        assertTrue(first.closed);
        assertNotSame(first, pool.lease("alice", this::open).connection());
    }

    @Test
    void unusableConnectionIsClosedOnRelease() throws Exception {
        ConnectionPool<FakeConnection> pool = pool(2, 100);
        var lease = pool.lease("alice", this::open);
        pool.release(lease, false);
        assertTrue(lease.connection().closed);
        assertFalse(pool.counts().containsKey("alice"), "a key without connections is forgotten");
    }

    @Test
    void exhaustedPoolFailsAfterTheLeaseTimeout() throws Exception {
        ConnectionPool<FakeConnection> pool = pool(1, 100);
        pool.lease("alice", this::open);
        assertThrows(PoolExhaustedException.class, () -> pool.lease("alice", this::open));
    }

    @Test
    void failedConnectFreesItsSlot() throws Exception {
        ConnectionPool<FakeConnection> pool = pool(1, 100);
        assertThrows(IllegalStateException.class, () -> pool.lease("alice", () -> {
            throw new IllegalStateException("refused");
        }));
        assertFalse(pool.counts().containsKey("alice"), "a key without connections is forgotten");
        pool.lease("alice", this::open);
    }

    @Test
    void closeQuitsIdleAndLaterReleasedConnections() throws Exception {
        ConnectionPool<FakeConnection> pool = pool(2, 100);
        var idle = pool.lease("alice", this::open);
        var busy = pool.lease("alice", this::open);
        pool.release(idle, true);
        pool.close();
        assertTrue(idle.connection().closed);
        assertFalse(busy.connection().closed);
        pool.release(busy, true);
        assertTrue(busy.connection().closed);
        assertThrows(PoolClosedException.class, () -> pool.lease("alice", this::open));
    }

    static final class FakeConnection implements Poolable {
        boolean socketOpen = true;
        boolean alive = true;
        boolean closed;
        int validations;

        @Override
        public boolean isOpen() {
            return socketOpen && !closed;
        }

        @Override
        public boolean validate() {
            validations++;
            return alive;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
