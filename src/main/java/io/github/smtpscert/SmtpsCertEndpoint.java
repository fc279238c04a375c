package io.github.smtpscert;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.smtpscert.internal.ConfigurationProblem;
import io.github.smtpscert.internal.health.CertificateHealthCheck;
import io.github.smtpscert.internal.health.SmtpsCertHealthRepository;
import io.github.smtpscert.internal.message.MessageBuilder;
import io.github.smtpscert.internal.message.MessageIds;
import io.github.smtpscert.internal.pool.ConnectionPool;
import io.github.smtpscert.internal.tls.CertificateExpiry;
import io.github.smtpscert.internal.tls.CertificateReloader;
import io.github.smtpscert.internal.tls.Identity;
import io.github.smtpscert.internal.tls.IdentityResolver;
import io.github.smtpscert.internal.tls.SslContexts;
import io.github.smtpscert.internal.tls.TlsMaterial;
import io.github.smtpscert.internal.tls.TlsPolicy;
import io.github.smtpscert.internal.transport.IdentityStatistics;
import io.github.smtpscert.internal.transport.Sender;
import io.github.smtpscert.internal.transport.ServerSettings;
import jakarta.mail.Session;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends mail over TLS presenting a client certificate. The endpoint owns what outlives one exchange: the resolved
 * identities, one family of TLS contexts (and so one session cache) per identity, and the sender with its pool. The
 * identities and contexts are reloaded as a whole when their files or beans change (reloadInterval).
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "smtps-cert", title = "SMTPS with client certificate",
             syntax = "smtps-cert:host:port", producerOnly = true, category = { Category.MAIL },
             headersClass = SmtpsCertConstants.class)
@ManagedResource(description = "smtps-cert endpoint: messages, TLS handshakes and pooled connections")
public class SmtpsCertEndpoint extends DefaultEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpsCertEndpoint.class);
    /** The least time between two expiry WARNs of one endpoint. */
    private static final Duration WARN_EVERY = Duration.ofDays(1);

    @UriParam
    private SmtpsCertConfiguration configuration;

    private MessageBuilder messageBuilder;
    private Expression messageId;
    private volatile CertificateReloader reloader;
    private ServerSettings server;
    private Session mimeSession;
    private final Sender.Counters counters = new Sender.Counters();
    private volatile ScheduledExecutorService scheduler;
    private volatile Sender sender;
    private volatile Clock clock = Clock.systemUTC();
    private final AtomicReference<Instant> lastExpiryWarning = new AtomicReference<>();
    private volatile CertificateHealthCheck healthCheck;
    private volatile AutoCloseable platformUpdates;
    /** The registry names the URI gave for bean options, so that a reload looks them up again. */
    private String clientCertificatesRef;
    private String sslContextParametersRef;

    /**
     * Created by {@link SmtpsCertComponent}.
     *
     * @param uri           the endpoint URI
     * @param component     the component
     * @param configuration the options of this endpoint (a copy of the component's, with the URI's applied)
     */
    public SmtpsCertEndpoint(String uri, SmtpsCertComponent component, SmtpsCertConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    @Override
    public Producer createProducer() {
        return new SmtpsCertProducer(this);
    }

    /** Not supported: smtps-cert only sends. */
    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("smtps-cert only sends mail; use camel-mail (imaps:) to receive");
    }

    @Override
    public SmtpsCertComponent getComponent() {
        return (SmtpsCertComponent) super.getComponent();
    }

    /** @return the options of this endpoint */
    public SmtpsCertConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        SmtpsCertConfiguration c = configuration;
        if (c.getHost() == null || c.getHost().isBlank()) {
            throw SmtpsCertConfigurationException.of("host", null, "is missing",
                    "Fix: write the server in the URI, as smtps-cert:mail.example.org:465");
        }
        if (c.getReloadInterval() < 0) {
            throw SmtpsCertConfigurationException.of("reloadInterval", String.valueOf(c.getReloadInterval()),
                    "is negative", "Fix: give a duration such as 60s, or 0 to turn reloading off");
        }
        TlsPolicy policy;
        try {
            messageBuilder = new MessageBuilder(new MessageBuilder.Options(c.getFrom(), c.getTo(), c.getCc(),
                    c.getBcc(), c.getReplyTo(), c.getSubject(), c.getContentType(), c.getCharset(),
                    c.isUseHeaderRecipients(), c.isUseHeaderFrom(), c.isUseHeaderSubject()));
            messageId = messageIdExpression(c.getMessageId());
            if (reloader == null) { // a restart keeps it, with its figures; doStart checks for changes
                IdentityResolver.Options options = identityOptions(c);
                String address = c.getHost() + ":" + c.effectivePort();
                reloader = new CertificateReloader(address,
                        () -> new IdentityResolver(getCamelContext(), identityOptions(configuration)),
                        trust -> new SslContexts(address, trust.managers(), c.isSslSessionCacheEnabled(),
                                c.getSslSessionCacheSize(), c.getSslSessionTimeout()),
                        IdentityResolver.files(options), IdentityResolver.usesBeans(options), () -> clock.instant(),
                        this::swapped);
            }
            policy = TlsPolicy.of(c.getProtocols(), c.getCipherSuites());
        } catch (ConfigurationProblem e) {
            throw SmtpsCertConfigurationException.from(e);
        }
        boolean implicit = c.effectiveTlsMode() == TlsMode.IMPLICIT;
        server = new ServerSettings(c.getHost(), c.effectivePort(), implicit, c.getUsername(), c.getPassword(),
                c.getConnectionTimeout(), c.getTimeout(), c.getWriteTimeout(), c.isVerifyHostname(),
                policy, c.getProtocols(), c.isSendPartial());
        mimeSession = Session.getInstance(new java.util.Properties());
        // host and port only in these lines: the raw endpoint URI can hold passwords
        if (!c.isVerifyHostname()) {
            LOG.warn("verifyHostname=false on smtps-cert:{}: the server's certificate is not checked against the "
                     + "host name, so a man in the middle can read the mail", server.address());
        }
        if (!policy.unsupportedCipherSuites().isEmpty()) {
            LOG.warn("cipherSuites on smtps-cert:{}: this JVM does not support {}, so they are left out",
                    server.address(), String.join(", ", policy.unsupportedCipherSuites()));
        }
        if (!implicit && server.port() == 465) {
            LOG.warn("tlsMode=STARTTLS on smtps-cert:{}: port 465 usually expects implicit TLS, so the server will "
                     + "wait for a TLS handshake while this client waits for its greeting. Fix: set tlsMode=IMPLICIT "
                     + "(or leave tlsMode unset)", server.address());
        }
        LOG.info("smtps-cert:{} ({}) will present {}", server.address(), c.effectiveTlsMode(),
                reloader.current().identities().defaultIdentity());
        reloader.current().identities().warnLeftOut(server.address());
    }

    /** The options as they are now: bean options given by registry name are looked up again. */
    private IdentityResolver.Options identityOptions(SmtpsCertConfiguration c) {
        SmtpsCertComponent component = getComponent();
        Object bean = unwrap(lookup(clientCertificatesRef, c.getClientCertificates(), Object.class));
        return new IdentityResolver.Options(c.getKeyStore(), c.getKeyStorePassword(), c.getKeyStoreType(),
                c.getKeyAlias(), c.getKeyPassword(), c.getCertificateFile(), c.getPrivateKeyFile(),
                c.getPrivateKeyPassword(), bean,
                lookup(sslContextParametersRef, c.getSslContextParameters(), SSLContextParameters.class),
                component.isUseGlobalSslContextParameters() ? component.retrieveGlobalSslContextParameters() : null,
                c.isValidateCertificateDates(), c.getTrustStore(), c.getTrustStorePassword(), c.getTrustStoreType(),
                c.getTrustCertificates(), provided(c));
    }

    /** The sslBundle or tlsConfigurationName option's material as its platform has it now; null when neither is set. */
    private IdentityResolver.Provided provided(SmtpsCertConfiguration c) {
        String option = c.getSslBundle() != null ? "sslBundle" : c.getTlsConfigurationName() != null
                ? "tlsConfigurationName" : null;
        if (option == null) {
            return null;
        }
        if (c.getSslBundle() != null && c.getTlsConfigurationName() != null) {
            throw ConfigurationProblem.of("sslBundle and tlsConfigurationName", null, "both are configured",
                    "Fix: keep one of them");
        }
        String name = option.equals("sslBundle") ? c.getSslBundle() : c.getTlsConfigurationName();
        TlsBundleProvider provider = provider(option, name);
        TlsBundleProvider.TlsBundle bundle;
        try {
            bundle = provider.bundle(name);
        } catch (RuntimeException e) { // the platform's own words: no such bundle, unreadable files, trust-all, ...
            throw ConfigurationProblem.of(option, name, e.getMessage(), option.equals("sslBundle")
                    ? "Its definition: spring.ssl.bundle.pem." + name + ".* or spring.ssl.bundle.jks." + name + ".*"
                    : "Its definition: quarkus.tls." + name + ".*");
        }
        return new IdentityResolver.Provided(option, name, bundle.keyStore(), bundle.keyPassword(), bundle.keyAlias(),
                bundle.trustStore());
    }

    private TlsBundleProvider provider(String option, String name) {
        return getCamelContext().getRegistry().findByType(TlsBundleProvider.class).stream()
                .filter(p -> option.equals(p.option())).findFirst()
                .orElseThrow(() -> ConfigurationProblem.of(option, name, "nothing in this application serves it",
                        option.equals("sslBundle")
                                ? "Fix: add the io.github.smtpscert:camel-smtps-cert-starter dependency (Spring Boot)"
                                : "Fix: add the io.github.smtpscert:camel-smtps-cert-quarkus dependency (Quarkus)"));
    }

    /** The API's ClientIdentity (alone or in a collection) as the internal Identity the resolver takes. */
    private static Object unwrap(Object bean) {
        if (bean instanceof ClientIdentity identity) {
            return identity.identity();
        }
        if (bean instanceof Collection<?> collection) {
            return collection.stream().map(e -> e instanceof ClientIdentity i ? i.identity() : e).toList();
        }
        return bean;
    }

    /** The bean bound under the URI's #name now (it may have been replaced), else the one configured. */
    private <T> T lookup(String reference, T configured, Class<T> type) {
        if (reference == null || configured == null) {
            return configured;
        }
        String name = reference.startsWith("#bean:") ? reference.substring(6) : reference.substring(1);
        Object now = getCamelContext().getRegistry().lookupByName(name);
        return type.isInstance(now) ? type.cast(now) : configured;
    }

    /** Remembers the registry names of bean options given as #name, for {@link #identityOptions}. */
    void beanReferences(Object clientCertificates, Object sslContextParameters) {
        clientCertificatesRef = clientCertificates instanceof String s && s.startsWith("#") ? s : null;
        sslContextParametersRef = sslContextParameters instanceof String s && s.startsWith("#") ? s : null;
    }

    /** After a reload: nothing of the old material is used again. */
    private void swapped(TlsMaterial material) {
        Sender current = sender;
        if (current != null) {
            current.retire(material);
        }
        checkCertificateExpiry();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        ScheduledExecutorService timers = getCamelContext().getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "SmtpsCertPool");
        if (timers instanceof ScheduledThreadPoolExecutor executor) {
            // Angus schedules and cancels a write-timeout task around every socket write: drop them on cancel
            executor.setRemoveOnCancelPolicy(true);
        }
        scheduler = timers;
        SmtpsCertConfiguration c = configuration;
        reloader.check(false); // a restart picks up files changed while the endpoint was stopped
        long generation = reloader.current().generation();
        sender = c.isPoolEnabled()
                ? Sender.pooled(server, generation, timers, counters, new ConnectionPool.Settings(
                        c.getPoolMaxConnections(), c.getPoolIdleTimeout(), c.getPoolValidateAfterInactivity(),
                        c.getMaxMessagesPerConnection(), c.getConnectionTimeout()))
                : Sender.singleUse(server, generation, timers, counters);
        if (c.getReloadInterval() > 0 && reloader.watchesAnything()) {
            timers.scheduleWithFixedDelay(() -> reloadQuietly(false), c.getReloadInterval(), c.getReloadInterval(),
                    TimeUnit.MILLISECONDS);
        }
        String platformOption = c.getSslBundle() != null ? "sslBundle" : "tlsConfigurationName";
        String bundle = c.getSslBundle() != null ? c.getSslBundle() : c.getTlsConfigurationName();
        if (bundle != null) { // the platform says when its bundle changed: reload then, not at the next interval
            try {
                platformUpdates = provider(platformOption, bundle).onUpdate(bundle, () -> reloadQuietly(true));
            } catch (ConfigurationProblem e) {
                throw SmtpsCertConfigurationException.from(e);
            }
        }
        SmtpsCertHealthRepository.on(getCamelContext()).ifPresentOrElse(
                repository -> healthCheck = repository.add(server.address(), this::certificateExpiry,
                        () -> reloader.status().lastError()),
                () -> LOG.debug("smtps-cert:{}: the CamelContext has no health check registry (camel-health is not on "
                                + "the class path), so no health check", server.address()));
        checkCertificateExpiry();
        timers.scheduleWithFixedDelay(this::checkCertificateExpiry, 1, 1, TimeUnit.HOURS);
    }

    @Override
    protected void doStop() throws Exception {
        AutoCloseable updates = platformUpdates;
        if (updates != null) {
            updates.close();
            platformUpdates = null;
        }
        CertificateHealthCheck check = healthCheck;
        if (check != null) {
            SmtpsCertHealthRepository.on(getCamelContext()).ifPresent(repository -> repository.remove(check));
            healthCheck = null;
        }
        Sender stopped = sender;
        if (stopped != null) {
            stopped.close(); // QUIT on every idle connection; later sends fail as "stopping"
        }
        if (scheduler != null) {
            getCamelContext().getExecutorServiceManager().shutdown(scheduler);
            scheduler = null;
        }
        super.doStop();
    }

    MessageBuilder messageBuilder() {
        return messageBuilder;
    }

    /** A Simple expression; a fixed value is checked now, so that its mistake shows at route start. */
    private Expression messageIdExpression(String option) {
        if (option == null || option.isEmpty()) {
            return null;
        }
        if (!option.contains("${")) {
            MessageIds.toHeader("messageId", option);
        }
        try {
            Expression expression = getCamelContext().resolveLanguage("simple").createExpression(option);
            expression.init(getCamelContext());
            return expression;
        } catch (RuntimeException e) {
            throw ConfigurationProblem.of("messageId", MessageIds.printable(option),
                    "is not a Simple expression (" + MessageIds.printable(e.getMessage()) + ")",
                    "Fix: write it as text with ${...} parts, for example ${header.OutboxId}@outbox.example.org", e);
        }
    }

    /** The Message-ID the messageId option gives for this exchange, with angle brackets; null without the option. */
    String messageId(Exchange exchange) {
        if (messageId == null) {
            return null;
        }
        String value;
        try {
            value = messageId.evaluate(exchange, String.class);
        } catch (RuntimeException e) {
            throw ConfigurationProblem.of("messageId", MessageIds.printable(configuration.getMessageId()),
                    "cannot be evaluated for this exchange (" + MessageIds.printable(e.getMessage()) + ")",
                    "Fix: make sure the headers or properties it reads are set", e);
        }
        return MessageIds.toHeader("messageId", value);
    }

    Session mimeSession() {
        return mimeSession;
    }

    /** The identities and TLS contexts to send with now; a send uses what it got here to its end. */
    TlsMaterial tlsMaterial() {
        return reloader.current();
    }

    /** The check reloadInterval runs; for tests, which call it instead of waiting for the timer. */
    String reloadCheck() {
        return reloader.check(false);
    }

    private void reloadQuietly(boolean force) {
        if (isStoppingOrStopped()) { // a platform may still call while the application shuts down
            return;
        }
        try {
            reloader.check(force);
        } catch (RuntimeException e) { // a scheduled task that throws is never run again
            LOG.warn("smtps-cert:{}: the certificate reload check failed: {}", server.address(), e.toString());
        }
    }

    /** The sender; null before the first start, closed (every send fails as "stopping") after a stop. */
    Sender sender() {
        return sender;
    }

    /** For tests: the clock the expiry figures and WARNs are computed with. */
    void clock(Clock clock) {
        this.clock = clock;
    }

    /** The expiry figures of the default identity now; anonymous before the endpoint is initialised. */
    CertificateExpiry certificateExpiry() {
        CertificateReloader current = reloader;
        return CertificateExpiry.of(current == null ? Identity.ANONYMOUS : current.current().identities().defaultIdentity(),
                clock.instant(),
                Duration.ofMillis(configuration.getCertificateExpiryWarning()));
    }

    /**
     * Logs one WARN when the default identity's chain is within certificateExpiryWarning of its end, expired or not
     * yet valid, unless this endpoint already logged one within the last day. Runs at start and then hourly.
     */
    void checkCertificateExpiry() {
        CertificateExpiry e = certificateExpiry();
        if (!e.expiringSoon() && !e.outOfDates()) {
            return;
        }
        Instant now = clock.instant();
        Instant last = lastExpiryWarning.get();
        if ((last != null && now.isBefore(last.plus(WARN_EVERY))) || !lastExpiryWarning.compareAndSet(last, now)) {
            return;
        }
        String address = server == null ? configuration.getHost() : server.address();
        String first = e.expiringSubject().equals(e.subject()) ? "" : " (its chain's first to expire: "
                                                                      + e.expiringSubject() + ")";
        if (e.expired()) {
            LOG.warn("smtps-cert:{}: the client certificate {} expired at {}{}; servers will refuse it. Renew it",
                    address, e.subject(), e.notAfter(), first);
        } else if (e.notYetValid()) {
            LOG.warn("smtps-cert:{}: the client certificate {} is not valid before {}; servers will refuse it until "
                     + "then. Check the clock", address, e.subject(), e.notBefore());
        } else {
            LOG.warn("smtps-cert:{}: the client certificate {} expires in {} days, at {}{}. Renew it before then",
                    address, e.subject(), e.daysUntilExpiry(), e.notAfter(), first);
        }
    }

    /** The identity of the material for this exchange: the header's key alias when allowed and present, else the default. */
    Identity identityFor(Exchange exchange, TlsMaterial material) {
        if (configuration.isAllowIdentityFromHeader()) {
            String alias = exchange.getMessage().getHeader(SmtpsCertConstants.KEY_ALIAS, String.class);
            if (alias != null) {
                return material.identities().forAlias(alias, SmtpsCertConstants.KEY_ALIAS + " header");
            }
        }
        return material.identities().defaultIdentity();
    }

    // --- JMX ---

    /** @return messages the server accepted, over all identities */
    @ManagedAttribute(description = "Messages the server accepted")
    public long getMessagesSent() {
        return statistics().values().stream().mapToLong(IdentityStatistics::messagesSent).sum();
    }

    /** @return TLS handshakes that negotiated a new session */
    @ManagedAttribute(description = "TLS handshakes that negotiated a new session")
    public long getFullHandshakes() {
        return statistics().values().stream().mapToLong(IdentityStatistics::fullHandshakes).sum();
    }

    /** @return TLS handshakes that resumed a cached session of the same identity */
    @ManagedAttribute(description = "TLS handshakes that resumed a cached session of the same identity")
    public long getResumedHandshakes() {
        return statistics().values().stream().mapToLong(IdentityStatistics::resumedHandshakes).sum();
    }

    /** @return pooled connections open, in use or idle */
    @ManagedAttribute(description = "Pooled connections open (in use or idle)")
    public int getOpenConnections() {
        return statistics().values().stream().mapToInt(IdentityStatistics::openConnections).sum();
    }

    /** @return pooled connections idle */
    @ManagedAttribute(description = "Pooled connections idle")
    public int getIdleConnections() {
        return statistics().values().stream().mapToInt(IdentityStatistics::idleConnections).sum();
    }

    /** @return one line per client identity: its subject, messages, handshakes and connections */
    @ManagedOperation(description = "Messages, handshakes and connections per client identity")
    public String identityStatistics() {
        StringBuilder out = new StringBuilder();
        statistics().values().forEach(s -> out.append(String.format(
                "%s: %d sent, %d full TLS handshakes, %d resumed, %d open / %d idle pooled connections%n",
                s.identity(), s.messagesSent(), s.fullHandshakes(), s.resumedHandshakes(), s.openConnections(),
                s.idleConnections())));
        return out.toString();
    }

    /**
     * @return whole days until the presented client certificate chain expires, rounded down (negative once expired),
     *         or null without a client certificate
     */
    @ManagedAttribute(description = "Whole days until the client certificate chain expires, rounded down (negative "
                                    + "once expired; null without a client certificate)")
    public Long getCertificateDaysUntilExpiry() {
        CertificateExpiry e = certificateExpiry();
        return e.anonymous() ? null : e.daysUntilExpiry();
    }

    /** @return when the presented client certificate chain expires (ISO-8601), or null without a client certificate */
    @ManagedAttribute(description = "When the client certificate chain expires, ISO-8601 (null without a client "
                                    + "certificate)")
    public String getCertificateNotAfter() {
        CertificateExpiry e = certificateExpiry();
        return e.anonymous() ? null : e.notAfter().toString();
    }

    /** @return whether the presented client certificate chain expires within certificateExpiryWarning */
    @ManagedAttribute(description = "Whether the client certificate chain expires within certificateExpiryWarning")
    public boolean isCertificateExpiringSoon() {
        return certificateExpiry().expiringSoon();
    }

    /** @return the subject DN of the presented client certificate, or "anonymous" */
    @ManagedAttribute(description = "Subject DN of the client certificate, or anonymous")
    public String getCertificateSubject() {
        CertificateExpiry e = certificateExpiry();
        return e.anonymous() ? "anonymous" : e.subject();
    }

    /**
     * Checks the identity and trust sources now and swaps in changed material that is valid, as the reloadInterval
     * check does; registry beans are rebuilt even when no file changed.
     *
     * @return what happened, in one line
     */
    @ManagedOperation(description = "Reload the client certificate and trust material now, if it changed and is valid")
    public String reloadCertificates() {
        CertificateReloader current = reloader;
        return current == null ? "not initialised" : current.check(true);
    }

    /** @return how many times changed certificate material was swapped in */
    @ManagedAttribute(description = "How many times changed client certificate or trust material was swapped in")
    public long getReloadCount() {
        CertificateReloader current = reloader;
        return current == null ? 0 : current.status().reloads();
    }

    /** @return when changed material was last swapped in (ISO-8601), or null */
    @ManagedAttribute(description = "When changed certificate material was last swapped in, ISO-8601 (null: never)")
    public String getLastReloadTime() {
        CertificateReloader current = reloader;
        Instant last = current == null ? null : current.status().lastReload();
        return last == null ? null : last.toString();
    }

    /** @return why the last reload check could not use the changed material, or null when it could */
    @ManagedAttribute(description = "Why the last reload check could not use the changed material (null: no error)")
    public String getLastReloadError() {
        CertificateReloader current = reloader;
        return current == null ? null : current.status().lastError();
    }

    /** Figures per identity, keyed by certificate fingerprint (or "anonymous"). */
    Map<String, IdentityStatistics> statistics() {
        Sender current = sender;
        return current == null ? Map.of() : current.statistics();
    }
}
