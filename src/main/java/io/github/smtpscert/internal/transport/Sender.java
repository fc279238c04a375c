package io.github.smtpscert.internal.transport;

import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.github.smtpscert.internal.pool.ConnectionPool;
import io.github.smtpscert.internal.pool.PoolClosedException;
import io.github.smtpscert.internal.pool.PoolExhaustedException;
import io.github.smtpscert.internal.tls.Identity;
import io.github.smtpscert.internal.tls.TlsMaterial;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one SMTP transaction per message on a connection for the message's identity, taken from a pool or opened for
 * this message alone. A pooled connection that turns out dead before MAIL FROM was answered is replaced
 * transparently; any failure after that is reported, never retried here, because the server may already hold the
 * message. Created when the endpoint starts; after {@link #close()} every send fails as "stopping".
 * <p>
 * Each send brings the {@link TlsMaterial} it started with. After {@link #retire} (the material was reloaded), no
 * connection and no TLS session of older material is used again: sends in flight finish their transaction, then
 * their connections are closed.
 */
public final class Sender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Sender.class);

    /** What a successful send reports. */
    public record Sent(String presentedSubjectDn, boolean resumed, String rejectedRecipients) {
    }

    /** Per-identity figures that outlive a restart of the endpoint. */
    public static final class Counters {
        private final Map<String, IdentityCounters> byIdentity = new ConcurrentHashMap<>();

        IdentityCounters of(Identity identity) {
            return byIdentity.computeIfAbsent(identity.key(), k -> new IdentityCounters(identity.name()));
        }
    }

    private static final class IdentityCounters {
        final String name;
        final LongAdder messages = new LongAdder();
        final LongAdder fullHandshakes = new LongAdder();
        final LongAdder resumedHandshakes = new LongAdder();

        IdentityCounters(String name) {
            this.name = name;
        }
    }

    /** A connection held for one message, and how it goes back. */
    private record Held(SmtpConnection connection, boolean reused, ConnectionPool.Lease<SmtpConnection> lease) {
    }

    private final ServerSettings server;
    private final ScheduledExecutorService scheduler;
    private final Counters counters;
    private final ConnectionPool<SmtpConnection> pool; // null: single-use connections
    private final int maxReplacements;
    private final ScheduledFuture<?> eviction;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final ReplyLimits replyLimits;
    private final GuardedSocketFactory plainSockets;
    private final Set<GuardedSocket> liveSockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private volatile long generation;

    private Sender(ServerSettings server, long generation, ScheduledExecutorService scheduler, Counters counters,
                   ConnectionPool.Settings poolSettings) {
        this.server = server;
        this.generation = generation;
        this.scheduler = scheduler;
        this.counters = counters;
        this.replyLimits = ReplyLimits.of(server);
        this.plainSockets = new GuardedSocketFactory(socket -> guard(socket, true));
        if (poolSettings == null) {
            pool = null;
            maxReplacements = 0;
            eviction = null;
        } else {
            pool = new ConnectionPool<>(poolSettings, System::currentTimeMillis);
            // all idle connections of an identity can die at once (server restart): replace up to the pool size
            maxReplacements = poolSettings.maxPerKey();
            long period = Math.max(1000, poolSettings.idleTimeoutMillis() / 2);
            eviction = scheduler.scheduleWithFixedDelay(() -> pool.evictIdle(System.currentTimeMillis()), period,
                    period, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Keeps connections open per identity between messages.
     *
     * @param generation the generation of the endpoint's current TLS material
     */
    public static Sender pooled(ServerSettings server, long generation, ScheduledExecutorService scheduler,
                                Counters counters, ConnectionPool.Settings poolSettings) {
        return new Sender(server, generation, scheduler, counters, poolSettings);
    }

    /** Opens a connection for each message and closes it afterwards. */
    public static Sender singleUse(ServerSettings server, long generation, ScheduledExecutorService scheduler,
                                   Counters counters) {
        return new Sender(server, generation, scheduler, counters, null);
    }

    /**
     * From now on only material of this generation is used: idle connections close now, connections in use close
     * when their send is done, and the TLS contexts (so the sessions) of older material are dropped.
     */
    public void retire(TlsMaterial current) {
        generation = current.generation();
        if (pool != null) {
            pool.retireAll();
        }
        String prefix = current.generation() + "/";
        sessions.keySet().removeIf(key -> !key.startsWith(prefix));
    }

    /** Sends the message to its recipients presenting the identity, which belongs to the material. */
    public Sent send(MimeMessage message, Identity identity, TlsMaterial material) throws SendFailure,
                                                                                        MessagingException {
        Address[] recipients = message.getAllRecipients();
        int replacementsLeft = maxReplacements;
        while (true) {
            Held held = acquire(identity, material);
            SmtpConnection connection = held.connection();
            boolean reusable = false;
            try {
                connection.send(message, recipients);
                reusable = true;
                return sent(identity, connection, null);
            } catch (MessagingException e) {
                reusable = SendFailures.connectionStillUsable(connection);
                forgetSessionsIfRefused(e, identity, material);
                if (closed) {
                    throw SendFailure.stoppedDuring(e, connection.stage() == SmtpConnection.Stage.END_OF_DATA);
                }
                if (held.reused() && replacementsLeft-- > 0 && SendFailures.lostBeforeTransaction(e, connection)) {
                    LOG.debug("pooled connection was closed by the server before MAIL FROM; sending on another one");
                    continue;
                }
                if (SendFailures.acceptedWithRejections(e, connection, server.sendPartial())) {
                    return sent(identity, connection, (SendFailedException) e);
                }
                throw SendFailures.sendFailed(e, connection, server);
            } finally {
                release(held, reusable && material.generation() == generation);
            }
        }
    }

    private Held acquire(Identity identity, TlsMaterial material) throws SendFailure {
        if (closed) {
            throw SendFailure.stopping(null);
        }
        try {
            if (pool == null) {
                return new Held(connect(identity, material), false, null);
            }
            ConnectionPool.Lease<SmtpConnection> lease = pool.lease(identity.key(), () -> connect(identity, material));
            return new Held(lease.connection(), lease.uses() > 0, lease);
        } catch (MessagingException e) {
            forgetSessionsIfRefused(e, identity, material);
            throw closed ? SendFailure.stopping(e) : SendFailures.connectFailed(e, server, identity);
        } catch (PoolExhaustedException e) {
            throw SendFailure.retryable("all " + e.max() + " pooled connections for identity " + identity.name()
                    + " stayed busy for " + e.waitedMillis() + " ms. Fix: raise poolMaxConnections or "
                    + "connectionTimeout, or send with fewer concurrent threads", e, -1);
        } catch (PoolClosedException e) {
            throw SendFailure.stopping(e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("unexpected failure while connecting: " + e, e);
        }
    }

    /**
     * A server that refused the certificate may still resume the session it refused it on (Postfix does, and refuses
     * again): drop the identity's TLS contexts so that the next connection makes a full handshake.
     */
    private void forgetSessionsIfRefused(MessagingException e, Identity identity, TlsMaterial material) {
        if (SendFailures.certificateRefused(e)) {
            sessions.remove(material.generation() + "/" + identity.key());
        }
    }

    private void release(Held held, boolean reusable) {
        if (held.lease() == null) {
            held.connection().close();
        } else {
            pool.release(held.lease(), reusable);
        }
    }

    private Sent sent(Identity identity, SmtpConnection connection, SendFailedException partial) {
        counters.of(identity).messages.increment();
        return new Sent(connection.handshake().presentedSubjectDn(), connection.handshake().resumed(),
                partial == null ? null : SendFailures.rejectedRecipients(SendFailures.refusedRecipients(partial)));
    }

    /** Opens a new connection presenting the identity, and counts its handshake. */
    private SmtpConnection connect(Identity identity, TlsMaterial material) throws MessagingException {
        // a session carries the TLS contexts, so the session cache: one per identity and generation of material
        String key = material.generation() + "/" + identity.key();
        Session session = material.generation() == generation
                ? sessions.computeIfAbsent(key, k -> newSession(identity, material))
                : newSession(identity, material); // retired material: used once, never cached again
        SmtpConnection connection = SmtpConnection.open(session, server.implicitTls() ? "smtps" : "smtp",
                server.host(), server.port(), server.username(), server.password());
        HandshakeInfo handshake = connection.handshake();
        IdentityCounters c = counters.of(identity);
        (handshake.resumed() ? c.resumedHandshakes : c.fullHandshakes).increment();
        LOG.debug("TLS handshake with {}: {} {} {}, identity {}", server.address(), handshake.protocol(),
                handshake.cipherSuite(), handshake.resumed() ? "resumed" : "full", identity);
        return connection;
    }

    private Session newSession(Identity identity, TlsMaterial material) {
        return SessionProperties.session(server, new TrackingSocketFactory(
                () -> material.contexts().newContext(identity), material.contexts().cacheEnabled(), server.policy(),
                // STARTTLS sockets are guarded from their first byte by plainSockets
                socket -> server.implicitTls() ? guard(socket, false) : socket), plainSockets, scheduler);
    }

    /** Figures per identity, keyed by certificate fingerprint (or "anonymous"). */
    public Map<String, IdentityStatistics> statistics() {
        Map<String, ConnectionPool.Counts> pooled = pool == null ? Map.of() : pool.counts();
        Map<String, IdentityStatistics> result = new TreeMap<>();
        counters.byIdentity.forEach((key, c) -> {
            ConnectionPool.Counts counts = pooled.getOrDefault(key, new ConnectionPool.Counts(0, 0));
            result.put(key, new IdentityStatistics(c.name, c.messages.sum(), c.fullHandshakes.sum(),
                    c.resumedHandshakes.sum(), counts.open(), counts.idle()));
        });
        return result;
    }

    /** Every socket a connection of this sender reads through: limits per reply, and abortable on close. */
    private GuardedSocket guard(Socket socket, boolean plaintext) {
        GuardedSocket guarded = new GuardedSocket(socket, replyLimits, plaintext, liveSockets::remove);
        liveSockets.add(guarded);
        if (closed) {
            guarded.abort();
        }
        return guarded;
    }

    /**
     * Closes idle pooled connections (QUIT), then aborts the sockets of sends still in flight: they fail at once as
     * "stopping" (possibly delivered when the final dot was already sent) instead of waiting on a slow server.
     */
    @Override
    public void close() {
        closed = true;
        if (eviction != null) {
            eviction.cancel(false);
        }
        if (pool != null) {
            pool.close();
        }
        liveSockets.forEach(GuardedSocket::abort);
        sessions.clear();
    }
}
