package io.github.smtpscert;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.github.smtpscert.pool.ConnectionPool;
import io.github.smtpscert.pool.SmtpConnection;
import io.github.smtpscert.tls.ClientIdentity;
import io.github.smtpscert.tls.HandshakeInfo;
import io.github.smtpscert.tls.Identities;
import io.github.smtpscert.tls.IdentityResolver;
import io.github.smtpscert.tls.TlsContexts;
import io.github.smtpscert.tls.TlsPolicy;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends mail over TLS presenting a client certificate. The endpoint owns what outlives one exchange: the resolved
 * identities, one TLS context (and so one session cache) per identity, and the connection pool.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "smtps-cert", title = "SMTPS with client certificate",
             syntax = "smtps-cert:host:port", producerOnly = true, category = { Category.MAIL },
             headersClass = SmtpsCertConstants.class)
@ManagedResource(description = "smtps-cert endpoint: messages, TLS handshakes and pooled connections")
public class SmtpsCertEndpoint extends DefaultEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpsCertEndpoint.class);

    @UriParam
    private SmtpsCertConfiguration configuration;

    private SmtpsCertBinding binding;
    private Identities identities;
    private TlsContexts tlsContexts;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, IdentityCounters> counters = new ConcurrentHashMap<>();
    private Session mimeSession;
    private ConnectionPool<SmtpConnection> pool;
    private ScheduledExecutorService scheduler;

    public SmtpsCertEndpoint(String uri, SmtpsCertComponent component, SmtpsCertConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    @Override
    public Producer createProducer() {
        return new SmtpsCertProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("smtps-cert only sends mail; use camel-mail (imaps:) to receive");
    }

    @Override
    public SmtpsCertComponent getComponent() {
        return (SmtpsCertComponent) super.getComponent();
    }

    public SmtpsCertConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        if (configuration.getHost() == null || configuration.getHost().isBlank()) {
            throw SmtpsCertConfigurationException.of("host", null, "is missing",
                    "Fix: write the server in the URI, as smtps-cert:mail.example.org:465");
        }
        binding = new SmtpsCertBinding(configuration);
        IdentityResolver resolver = new IdentityResolver(getCamelContext(), configuration,
                getComponent().isUseGlobalSslContextParameters() ? getComponent().retrieveGlobalSslContextParameters() : null);
        identities = resolver.identities();
        tlsContexts = new TlsContexts(resolver.trustManagers(),
                TlsPolicy.of(configuration.getProtocols(), configuration.getCipherSuites(), configuration.isVerifyHostname()),
                configuration.isSslSessionCacheEnabled(), configuration.getSslSessionCacheSize(),
                configuration.getSslSessionTimeout());
        mimeSession = Session.getInstance(new Properties());
        if (!configuration.isVerifyHostname()) {
            // host and port only: the raw endpoint URI can hold passwords
            LOG.warn("verifyHostname=false on smtps-cert:{}:{}: the server's certificate is not checked against the "
                     + "host name, so a man in the middle can read the mail", configuration.getHost(),
                    configuration.effectivePort());
        }
        ClientIdentity identity = identities.defaultIdentity();
        LOG.info("smtps-cert:{}:{} ({}) will present {}", configuration.getHost(), configuration.effectivePort(),
                configuration.effectiveTlsMode(), identity == null ? "no client certificate (anonymous)" : identity);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        scheduler = getCamelContext().getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "SmtpsCertPool");
        if (scheduler instanceof ScheduledThreadPoolExecutor executor) {
            // Angus schedules and cancels a write-timeout task around every socket write: drop them on cancel
            executor.setRemoveOnCancelPolicy(true);
        }
        if (configuration.isPoolEnabled()) {
            pool = new ConnectionPool<>(new ConnectionPool.Settings(configuration.getPoolMaxConnections(),
                    configuration.getPoolIdleTimeout(), configuration.getPoolValidateAfterInactivity(),
                    configuration.getMaxMessagesPerConnection(), configuration.getConnectionTimeout()),
                    System::currentTimeMillis);
            long period = Math.max(1000, configuration.getPoolIdleTimeout() / 2);
            scheduler.scheduleWithFixedDelay(() -> pool.evictIdle(System.currentTimeMillis()), period, period,
                    TimeUnit.MILLISECONDS);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (pool != null) {
            pool.close(); // QUIT on every idle connection
            pool = null;
        }
        if (scheduler != null) {
            getCamelContext().getExecutorServiceManager().shutdown(scheduler);
            scheduler = null;
        }
        sessions.clear(); // they hold the scheduler that was just shut down
        super.doStop();
    }

    SmtpsCertBinding binding() {
        return binding;
    }

    Session mimeSession() {
        return mimeSession;
    }

    /** Null when pooling is off. */
    ConnectionPool<SmtpConnection> pool() {
        return pool;
    }

    /** The identity for this exchange: the header's key alias when allowed and present, else the default. */
    ClientIdentity identityFor(Exchange exchange) {
        if (configuration.isAllowIdentityFromHeader()) {
            String alias = exchange.getMessage().getHeader(SmtpsCertConstants.KEY_ALIAS, String.class);
            if (alias != null) {
                return identities.forAlias(alias, SmtpsCertConstants.KEY_ALIAS + " header");
            }
        }
        return identities.defaultIdentity();
    }

    /** Opens a new connection presenting the identity, and counts its handshake. */
    SmtpConnection connect(ClientIdentity identity) throws MessagingException {
        String key = TlsContexts.keyOf(identity);
        boolean implicit = configuration.effectiveTlsMode() == TlsMode.IMPLICIT;
        Session session = sessions.computeIfAbsent(key, k -> newSession(identity, implicit));
        SmtpConnection connection = SmtpConnection.open(session, implicit ? "smtps" : "smtp", configuration.getHost(),
                configuration.effectivePort(), configuration.getUsername(), configuration.getPassword());
        HandshakeInfo handshake = connection.handshake();
        IdentityCounters c = counters(identity);
        (handshake.resumed() ? c.resumedHandshakes : c.fullHandshakes).increment();
        LOG.debug("TLS handshake with {}:{}: {} {} {}, identity {}", configuration.getHost(),
                configuration.effectivePort(), handshake.protocol(), handshake.cipherSuite(),
                handshake.resumed() ? "resumed" : "full", identity == null ? "anonymous" : identity);
        return connection;
    }

    void messageSent(ClientIdentity identity) {
        counters(identity).messages.increment();
    }

    private IdentityCounters counters(ClientIdentity identity) {
        return counters.computeIfAbsent(TlsContexts.keyOf(identity),
                k -> new IdentityCounters(identity == null ? "anonymous" : identity.subjectDn()));
    }

    private Session newSession(ClientIdentity identity, boolean implicit) {
        String prefix = implicit ? "mail.smtps." : "mail.smtp.";
        Properties props = new Properties();
        props.put(prefix + "ssl.socketFactory", tlsContexts.socketFactory(identity));
        // Angus otherwise retries a failed TLS connect with the JVM's default factory: no client certificate,
        // default trust, and the real cause (e.g. a host name mismatch) replaced by a misleading one
        props.put(prefix + "socketFactory.fallback", "false");
        if (implicit) {
            props.put(prefix + "ssl.enable", "true");
        } else {
            props.put(prefix + "starttls.enable", "true");
            props.put(prefix + "starttls.required", "true");
        }
        props.put(prefix + "ssl.checkserveridentity", String.valueOf(configuration.isVerifyHostname()));
        TlsPolicy policy = tlsContexts.policy();
        if (policy.protocols() != null) {
            props.put(prefix + "ssl.protocols", String.join(" ", policy.protocols()));
        }
        if (policy.cipherSuites() != null) {
            props.put(prefix + "ssl.ciphersuites", String.join(" ", policy.cipherSuites()));
        }
        props.put(prefix + "connectiontimeout", String.valueOf(configuration.getConnectionTimeout()));
        props.put(prefix + "timeout", String.valueOf(configuration.getTimeout()));
        props.put(prefix + "writetimeout", String.valueOf(configuration.getWriteTimeout()));
        // one shared timer thread instead of one per connection
        props.put(prefix + "executor.writetimeout", scheduler);
        props.put(prefix + "auth", String.valueOf(configuration.getUsername() != null));
        // QUIT comes after the last reply that matters, so closing need not wait a round trip for "221 Bye"
        props.put(prefix + "quitwait", "false");
        props.put(prefix + "sendpartial", String.valueOf(configuration.isSendPartial()));
        return Session.getInstance(props);
    }

    // --- JMX ---

    @ManagedAttribute(description = "Messages the server accepted")
    public long getMessagesSent() {
        return counters.values().stream().mapToLong(c -> c.messages.sum()).sum();
    }

    @ManagedAttribute(description = "TLS handshakes that negotiated a new session")
    public long getFullHandshakes() {
        return counters.values().stream().mapToLong(c -> c.fullHandshakes.sum()).sum();
    }

    @ManagedAttribute(description = "TLS handshakes that resumed a cached session of the same identity")
    public long getResumedHandshakes() {
        return counters.values().stream().mapToLong(c -> c.resumedHandshakes.sum()).sum();
    }

    @ManagedAttribute(description = "Pooled connections open (in use or idle)")
    public int getOpenConnections() {
        return pool == null ? 0 : pool.counts().values().stream().mapToInt(ConnectionPool.Counts::open).sum();
    }

    @ManagedAttribute(description = "Pooled connections idle")
    public int getIdleConnections() {
        return pool == null ? 0 : pool.counts().values().stream().mapToInt(ConnectionPool.Counts::idle).sum();
    }

    @ManagedOperation(description = "Messages, handshakes and connections per client identity")
    public String identityStatistics() {
        StringBuilder out = new StringBuilder();
        statistics().forEach((key, s) -> out.append(s).append('\n'));
        return out.toString();
    }

    /** Figures per identity, keyed by certificate fingerprint (or "anonymous"). */
    public Map<String, IdentityStatistics> statistics() {
        Map<String, ConnectionPool.Counts> pooled = pool == null ? Map.of() : pool.counts();
        Map<String, IdentityStatistics> result = new TreeMap<>();
        counters.forEach((key, c) -> {
            ConnectionPool.Counts counts = pooled.getOrDefault(key, new ConnectionPool.Counts(0, 0));
            result.put(key, new IdentityStatistics(c.subject, c.messages.sum(), c.fullHandshakes.sum(),
                    c.resumedHandshakes.sum(), counts.open(), counts.idle()));
        });
        return result;
    }

    /** Figures for one client identity. */
    public record IdentityStatistics(String identity, long messagesSent, long fullHandshakes, long resumedHandshakes,
                                     int openConnections, int idleConnections) {
    }

    private static final class IdentityCounters {
        final String subject;
        final LongAdder messages = new LongAdder();
        final LongAdder fullHandshakes = new LongAdder();
        final LongAdder resumedHandshakes = new LongAdder();

        IdentityCounters(String subject) {
            this.subject = subject;
        }
    }
}
