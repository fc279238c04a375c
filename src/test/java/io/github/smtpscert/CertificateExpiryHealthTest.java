package io.github.smtpscert;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.TempDirs;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.github.smtpscert.MtlsFixture.PW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Expiry visible before it bites: the health check (through Camel's registry), the JMX attributes and the daily WARN,
 * all computed with a clock the test sets, so nothing sleeps. No server: none of this connects.
 */
class CertificateExpiryHealthTest {

    private static final TestPki PKI = TestPki.shared();
    /** A fixed "now", whole seconds, so the day figures are exact. */
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private Path dir;
    private Path trustPem;

    @BeforeEach
    void setUp() {
        dir = TempDirs.create("smtps-cert-health");
        trustPem = PKI.writeTrustPem(dir, "trust.pem");
    }

    @AfterEach
    void tearDown() {
        TempDirs.delete(dir);
    }

    @Test
    void fiveDaysLeftIsExpiringSoonAndUp() throws Exception {
        try (CamelContext ctx = new DefaultCamelContext()) {
            SmtpsCertEndpoint endpoint = endpoint(ctx, leaf("five", NOW.minus(Duration.ofDays(30)),
                    NOW.plus(Duration.ofDays(5))), "");
            HealthCheck.Result result = smtpsCertResult(ctx);

            assertEquals(HealthCheck.State.UP, result.getState(), result::toString);
            assertEquals(true, result.getDetails().get("expiringSoon"));
            assertEquals(5L, result.getDetails().get("daysUntilExpiry"));
            assertEquals(NOW.plus(Duration.ofDays(5)).toString(), result.getDetails().get("notAfter"));
            assertEquals("CN=five,O=camel-smtps-cert tests", result.getDetails().get("subject"));
            assertTrue(endpoint.isCertificateExpiringSoon());
        }
    }

    @Test
    void expiredWithDateValidationOffIsDown() throws Exception {
        try (CamelContext ctx = new DefaultCamelContext()) {
            endpoint(ctx, leaf("expired", NOW.minus(Duration.ofDays(60)), NOW.minus(Duration.ofDays(2))),
                    "&validateCertificateDates=false");
            HealthCheck.Result result = smtpsCertResult(ctx);

            assertEquals(HealthCheck.State.DOWN, result.getState(), result::toString);
            assertEquals(-2L, result.getDetails().get("daysUntilExpiry"));
            assertEquals(false, result.getDetails().get("expiringSoon"));
            assertTrue(result.getMessage().orElse("").contains("expired"), result::toString);
        }
    }

    @Test
    void notYetValidWithDateValidationOffIsDown() throws Exception {
        try (CamelContext ctx = new DefaultCamelContext()) {
            endpoint(ctx, leaf("future", NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(90))),
                    "&validateCertificateDates=false");
            HealthCheck.Result result = smtpsCertResult(ctx);

            assertEquals(HealthCheck.State.DOWN, result.getState(), result::toString);
            assertTrue(result.getMessage().orElse("").contains("not valid before"), result::toString);
        }
    }

    @Test
    void farFromExpiryIsNotExpiringSoon() throws Exception {
        try (CamelContext ctx = new DefaultCamelContext()) {
            SmtpsCertEndpoint endpoint = endpoint(ctx, leaf("far", NOW.minus(Duration.ofDays(1)),
                    NOW.plus(Duration.ofDays(200))), "");
            HealthCheck.Result result = smtpsCertResult(ctx);

            assertEquals(HealthCheck.State.UP, result.getState(), result::toString);
            assertEquals(false, result.getDetails().get("expiringSoon"));
            assertEquals(200L, result.getDetails().get("daysUntilExpiry"));
            assertFalse(endpoint.isCertificateExpiringSoon());
        }
    }

    @Test
    void warningWindowIsTheCertificateExpiryWarningOption() throws Exception {
        try (CamelContext ctx = new DefaultCamelContext()) {
            endpoint(ctx, leaf("twenty", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(20))),
                    "&certificateExpiryWarning=30d");
            assertEquals(true, smtpsCertResult(ctx).getDetails().get("expiringSoon"));
        }
    }

    @Test
    void defaultWarningWindowIsFourteenDays() {
        assertEquals(Duration.ofDays(14).toMillis(), new SmtpsCertConfiguration().getCertificateExpiryWarning());
    }

    @Test
    void anonymousEndpointIsUpWithoutACertificate() throws Exception {
        try (CamelContext ctx = new DefaultCamelContext()) {
            SmtpsCertEndpoint endpoint = ctx.getEndpoint("smtps-cert:localhost:465?trustCertificates=" + trustPem,
                    SmtpsCertEndpoint.class);
            ctx.start();
            HealthCheck.Result result = smtpsCertResult(ctx);

            assertEquals(HealthCheck.State.UP, result.getState(), result::toString);
            assertEquals("none (anonymous)", result.getDetails().get("clientCertificate"));
            assertNull(endpoint.getCertificateDaysUntilExpiry());
            assertNull(endpoint.getCertificateNotAfter());
            assertFalse(endpoint.isCertificateExpiringSoon());
        }
    }

    @Test
    void healthCheckIsFoundThroughTheContextsRegistry() throws Exception {
        try (CamelContext ctx = new DefaultCamelContext()) {
            endpoint(ctx, leaf("listed", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(100))), "");
            HealthCheckRegistry registry = HealthCheckRegistry.get(ctx);

            assertTrue(registry.getRepository("smtps-cert").isPresent());
            List<String> ids = registry.stream().map(HealthCheck::getId).filter(id -> id.contains("smtps-cert")).toList();
            assertEquals(List.of("smtps-cert:localhost:465"), ids);
            assertTrue(registry.getCheck("smtps-cert:localhost:465").isPresent());
            assertTrue(HealthCheckHelper.isResultsUp(HealthCheckHelper.invokeReadiness(ctx), true));
        }
    }

    @Test
    void endpointsOnOneServerGetTheirOwnChecksAndAStoppedOneIsGone() throws Exception {
        try (CamelContext ctx = new DefaultCamelContext()) {
            Path store = leaf("one", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(100)))
                    .writePkcs12(dir, "one.p12", PW.toCharArray(), PW.toCharArray());
            String base = "smtps-cert:localhost:465?trustCertificates=" + trustPem + "&keyStore=" + store
                          + "&keyStorePassword=" + PW;
            ctx.getEndpoint(base, SmtpsCertEndpoint.class);
            SmtpsCertEndpoint second = ctx.getEndpoint(base + "&subject=other", SmtpsCertEndpoint.class);
            ctx.start();
            HealthCheckRegistry registry = HealthCheckRegistry.get(ctx);
            assertEquals(Set.of("smtps-cert:localhost:465", "smtps-cert:localhost:465#2"), smtpsCertIds(registry));

            second.stop();
            assertEquals(1, smtpsCertIds(registry).size());
        }
    }

    @Test
    void jmxAttributesShowTheSameFigures() throws Exception {
        try (CamelContext ctx = new DefaultCamelContext()) {
            endpoint(ctx, leaf("jmx", NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(5))), "");
            MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
            Set<ObjectName> names = mbeans.queryNames(new ObjectName("org.apache.camel:context=" + ctx.getManagementName()
                                                                     + ",type=endpoints,name=\"smtps-cert*\""), null);
            assertEquals(1, names.size(), names::toString);
            ObjectName name = names.iterator().next();

            assertEquals(5L, mbeans.getAttribute(name, "CertificateDaysUntilExpiry"));
            assertEquals(NOW.plus(Duration.ofDays(5)).toString(), mbeans.getAttribute(name, "CertificateNotAfter"));
            assertEquals(true, mbeans.getAttribute(name, "CertificateExpiringSoon"));
            assertEquals("CN=jmx,O=camel-smtps-cert tests", mbeans.getAttribute(name, "CertificateSubject"));
        }
    }

    @Test
    void warnsOnceADayNotPerCall() throws Exception {
        Logger logger = (Logger) LogManager.getLogger(SmtpsCertEndpoint.class);
        Capture capture = new Capture();
        capture.start();
        logger.addAppender(capture);
        try (CamelContext ctx = new DefaultCamelContext()) {
            MutableClock clock = new MutableClock(NOW);
            SmtpsCertEndpoint endpoint = ctx.getEndpoint(uri(leaf("daily", NOW.minus(Duration.ofDays(30)),
                    NOW.plus(Duration.ofDays(5))), ""), SmtpsCertEndpoint.class);
            endpoint.clock(clock);
            ctx.start();
            assertEquals(1, capture.warnings().size(), capture.lines::toString); // at start
            assertTrue(capture.warnings().get(0).contains("expires in 5 days"), capture.warnings()::toString);

            for (int i = 0; i < 10; i++) {
                endpoint.checkCertificateExpiry();
                endpoint.getCertificateDaysUntilExpiry();
                smtpsCertResult(ctx);
            }
            clock.now = NOW.plus(Duration.ofHours(23));
            endpoint.checkCertificateExpiry();
            assertEquals(1, capture.warnings().size(), capture.lines::toString);

            clock.now = NOW.plus(Duration.ofDays(1));
            endpoint.checkCertificateExpiry();
            endpoint.checkCertificateExpiry();
            assertEquals(2, capture.warnings().size(), capture.lines::toString);
            assertTrue(capture.warnings().get(1).contains("expires in 4 days"), capture.warnings()::toString);
        } finally {
            logger.removeAppender(capture);
            capture.stop();
        }
    }

    @Test
    void noWarningFarFromExpiry() throws Exception {
        Logger logger = (Logger) LogManager.getLogger(SmtpsCertEndpoint.class);
        Capture capture = new Capture();
        capture.start();
        logger.addAppender(capture);
        try (CamelContext ctx = new DefaultCamelContext()) {
            SmtpsCertEndpoint endpoint = endpoint(ctx, leaf("quiet", NOW.minus(Duration.ofDays(1)),
                    NOW.plus(Duration.ofDays(200))), "");
            endpoint.checkCertificateExpiry();
            assertEquals(List.of(), capture.warnings());
        } finally {
            logger.removeAppender(capture);
            capture.stop();
        }
    }

    private Leaf leaf(String cn, Instant notBefore, Instant notAfter) {
        return PKI.issueClient(cn, KeyAlg.EC, notBefore, notAfter);
    }

    private String uri(Leaf leaf, String options) {
        Path store = leaf.writePkcs12(dir, leaf.cn() + ".p12", PW.toCharArray(), PW.toCharArray());
        return "smtps-cert:localhost:465?trustCertificates=" + trustPem + "&keyStore=" + store + "&keyStorePassword="
               + PW + options;
    }

    /** A started endpoint presenting the leaf, its figures computed at {@link #NOW}. */
    private SmtpsCertEndpoint endpoint(CamelContext ctx, Leaf leaf, String options) {
        SmtpsCertEndpoint endpoint = ctx.getEndpoint(uri(leaf, options), SmtpsCertEndpoint.class);
        endpoint.clock(Clock.fixed(NOW, ZoneOffset.UTC));
        ctx.start();
        return endpoint;
    }

    /** The one smtps-cert result of Camel's usual health invocation. */
    private static HealthCheck.Result smtpsCertResult(CamelContext ctx) {
        List<HealthCheck.Result> results = HealthCheckHelper.invoke(ctx).stream()
                .filter(r -> r.getCheck().getId().contains("smtps-cert")).toList();
        assertEquals(1, results.size(), results::toString);
        return results.get(0);
    }

    private static Set<String> smtpsCertIds(HealthCheckRegistry registry) {
        return Set.copyOf(registry.stream().map(HealthCheck::getId).filter(id -> id.startsWith("smtps-cert")).toList());
    }

    private static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Keeps the WARN lines logged while attached. */
    private static final class Capture extends AbstractAppender {
        final List<String> lines = new CopyOnWriteArrayList<>();

        Capture() {
            super("capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            if (event.getLevel() == Level.WARN) {
                lines.add(event.getMessage().getFormattedMessage());
            }
        }

        List<String> warnings() {
            return lines.stream().filter(l -> l.contains("client certificate")).toList();
        }
    }
}
