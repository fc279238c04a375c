package io.github.smtpscert;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.smtpscert.internal.tls.CertificateReloader;
import io.github.smtpscert.internal.tls.Identities;
import io.github.smtpscert.internal.transport.IdentityStatistics;
import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import io.github.smtpscert.testsupport.TempDirs;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.github.smtpscert.MtlsFixture.PW;
import static io.github.smtpscert.MtlsFixture.sslContextParameters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Certificate and trust material replaced while the endpoint runs: files rewritten in place or swapped by symlink,
 * registry beans rebuilt or replaced. Valid new material is swapped in as a whole (new connections, new TLS sessions);
 * invalid or half-written material is kept out with one WARN. Every test calls {@code reloadCheck()}, the check the
 * reloadInterval timer runs, itself; the interval is an hour so that the timer never races it, except in
 * {@link #theTimerReloadsWithASmallInterval()}. The server's delivery record says which certificate it verified.
 */
class CertificateReloadTest {

    private static final String RELOADER = CertificateReloader.class.getName();
    private static final String IDENTITIES = Identities.class.getName();
    private static final Instant NOW = Instant.parse("2026-12-03T08:15:30Z");
    private static final String NO_TIMER = "reloadInterval=3600000";

    @RegisterExtension
    static final MtlsFixture f = MtlsFixture.perClass();

    /** A CA that did not issue the server's certificate. */
    private static TestPki otherCa;
    private static Leaf carol;

    private Path dir;
    private Path cert;
    private Path key;
    private Path trust;
    private CamelContext ctx;

    @BeforeAll
    static void pki() {
        otherCa = TestPki.create();
        carol = f.pki.issueClient("carol", KeyAlg.EC);
    }

    @BeforeEach
    void setUp() throws Exception {
        dir = TempDirs.create("smtps-cert-reload");
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        trust = f.pki.writeTrustPem(dir, "trust.pem");
        ctx = MtlsFixture.context();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            ctx.close();
        } finally {
            TempDirs.delete(dir);
        }
    }

    // ---- files: what counts as a change ----

    @Test
    void pemFilesRewrittenInPlaceWithTheSameModificationTimeAreReloaded() throws Exception {
        writePem(f.alice);
        String uri = pemUri("");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);
        assertTrue(endpoint.reloadCheck().startsWith("unchanged"));
        assertEquals(0, endpoint.getReloadCount());
        assertNull(endpoint.getLastReloadTime());

        FileTime certTime = Files.getLastModifiedTime(cert);
        FileTime keyTime = Files.getLastModifiedTime(key);
        Object inode = Files.readAttributes(cert, "unix:ino").get("ino");
        writePem(f.bob);
        Files.setLastModifiedTime(cert, certTime);
        Files.setLastModifiedTime(key, keyTime);
        assertEquals(inode, Files.readAttributes(cert, "unix:ino").get("ino"), "rewritten in place");

        String result = endpoint.reloadCheck();
        assertTrue(result.startsWith("reloaded"), result);
        assertDelivered(send(uri), f.bob);
        assertEquals(1, endpoint.getReloadCount());
        assertEquals(NOW.toString(), endpoint.getLastReloadTime());
        assertNull(endpoint.getLastReloadError());
        assertEquals(f.bob.subjectDn(), endpoint.getCertificateSubject());
    }

    @Test
    void kubernetesSecretSymlinkSwapIsReloaded() throws Exception {
        // as the kubelet lays out a Secret volume: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>
        Path first = Files.createDirectory(dir.resolve("..2026_12_03_08_00_00.1"));
        f.alice.writeCertChainPem(first, "tls.crt");
        f.alice.writeKeyPkcs8(first, "tls.key");
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Files.createSymbolicLink(dir.resolve("tls.crt"), Path.of("..data", "tls.crt"));
        Files.createSymbolicLink(dir.resolve("tls.key"), Path.of("..data", "tls.key"));
        String uri = uri("certificateFile=" + dir.resolve("tls.crt") + "&privateKeyFile=" + dir.resolve("tls.key"));
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);

        Path second = Files.createDirectory(dir.resolve("..2026_12_03_09_00_00.2"));
        f.bob.writeCertChainPem(second, "tls.crt");
        f.bob.writeKeyPkcs8(second, "tls.key");
        Path next = Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
        Files.move(next, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE); // rename(2) over the old link
        TempDirs.delete(first);

        String result = endpoint.reloadCheck();
        assertTrue(result.startsWith("reloaded"), result);
        assertDelivered(send(uri), f.bob);
        assertEquals(1, endpoint.getReloadCount());
    }

    @Test
    void keyStoreRewrittenIsReloaded() throws Exception {
        Path store = f.alice.writePkcs12(dir, "identity.p12", PW.toCharArray(), PW.toCharArray());
        String uri = uri("keyStore=" + store + "&keyStorePassword=" + PW);
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);

        f.bob.writePkcs12(dir, "identity.p12", PW.toCharArray(), PW.toCharArray());
        assertTrue(endpoint.reloadCheck().startsWith("reloaded"));
        assertDelivered(send(uri), f.bob);
    }

    @Test
    void filesChangedWhileTheEndpointWasStoppedArePresentedAfterItsRestart() throws Exception {
        writePem(f.alice);
        String uri = pemUri("");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);

        endpoint.stop();
        writePem(f.bob);
        endpoint.start();
        assertDelivered(send(uri), f.bob);
    }

    /** The JMX figures of an endpoint "survive a stop and start of the endpoint" (reference.md, JMX). */
    @Test
    void reloadFiguresSurviveARestartOfTheEndpoint() throws Exception {
        writePem(f.alice);
        String uri = pemUri("");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        writePem(f.bob);
        assertTrue(endpoint.reloadCheck().startsWith("reloaded"));
        assertEquals(1, endpoint.getReloadCount());

        endpoint.stop();
        endpoint.start();
        assertEquals(1, endpoint.getReloadCount());
        assertEquals(NOW.toString(), endpoint.getLastReloadTime());
        assertDelivered(send(uri), f.bob);
    }

    @Test
    void theTimerReloadsWithASmallInterval() throws Exception {
        writePem(f.alice);
        String uri = uri("certificateFile=" + cert + "&privateKeyFile=" + key + "&reloadInterval=50");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);

        writePem(f.bob);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (endpoint.getReloadCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, endpoint.getReloadCount(), "the timer did not reload within 10 s");
        assertDelivered(send(uri), f.bob);
    }

    // ---- invalid material is kept out ----

    @Test
    void halfWrittenMaterialIsKeptOutWithOneWarnUntilTheKeyArrives() throws Exception {
        writePem(f.alice);
        String uri = pemUri("");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);

        try (LogCapture log = new LogCapture(RELOADER)) {
            f.bob.writeCertChainPem(dir, "cert.pem"); // the new certificate, and still the old key
            String result = endpoint.reloadCheck();
            assertTrue(result.startsWith("not reloaded"), result);
            assertDelivered(send(uri), f.alice);
            assertEquals(1, log.warnings().size(), log.warnings()::toString);
            String warning = log.warnings().get(0);
            assertTrue(warning.contains("privateKeyFile=" + key), warning);
            assertTrue(warning.contains(f.alice.subjectDn()), "names what is still presented: " + warning);
            String error = endpoint.getLastReloadError();
            assertNotNull(error);
            assertTrue(error.startsWith("privateKeyFile=" + key), error);
            assertEquals(error, healthDetails().get("reloadError"));
            assertEquals(0, endpoint.getReloadCount());

            // no change since: no further WARN, the error stays
            for (int i = 0; i < 3; i++) {
                endpoint.reloadCheck();
            }
            assertEquals(1, log.warnings().size(), log.warnings()::toString);
            assertEquals(error, endpoint.getLastReloadError());

            // another broken state is worth its own WARN
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n");
            assertTrue(endpoint.reloadCheck().startsWith("not reloaded"));
            assertEquals(2, log.warnings().size(), log.warnings()::toString);

            f.bob.writeKeyPkcs8(dir, "key.pem");
            result = endpoint.reloadCheck();
            assertTrue(result.startsWith("reloaded"), result);
            assertDelivered(send(uri), f.bob);
            assertNull(endpoint.getLastReloadError());
            assertFalse(healthDetails().containsKey("reloadError"), healthDetails()::toString);
            assertEquals(1, endpoint.getReloadCount());
            assertEquals(2, log.warnings().size(), log.warnings()::toString);
        }
    }

    enum Broken {
        GARBAGE_CERTIFICATE("certificateFile="),
        EMPTY_CERTIFICATE("certificateFile="),
        DELETED_KEY("privateKeyFile="),
        CHAIN_OUT_OF_ORDER("certificateFile="),
        EXPIRED_CERTIFICATE("validateCertificateDates");

        final String errorStart;

        Broken(String errorStart) {
            this.errorStart = errorStart;
        }
    }

    @ParameterizedTest
    @EnumSource(Broken.class)
    void invalidMaterialKeepsTheCurrentIdentity(Broken broken) throws Exception {
        writePem(f.alice);
        String uri = pemUri("&validateCertificateDates=true");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);

        switch (broken) {
            case GARBAGE_CERTIFICATE -> Files.writeString(cert, "-----BEGIN CERTIFICATE-----\n!!garbage!!\n"
                                                                + "-----END CERTIFICATE-----\n");
            case EMPTY_CERTIFICATE -> Files.write(cert, new byte[0]);
            case DELETED_KEY -> Files.delete(key);
            case CHAIN_OUT_OF_ORDER -> {
                Path bobChain = f.bob.writeCertChainPem(dir, "bob-chain.pem");
                List<String> blocks = pemBlocks(Files.readString(bobChain));
                Files.writeString(cert, blocks.get(1) + blocks.get(0)); // intermediate first
                f.bob.writeKeyPkcs8(dir, "key.pem");
            }
            case EXPIRED_CERTIFICATE -> writePem(expired());
            default -> throw new IllegalArgumentException(broken.name());
        }
        String result = endpoint.reloadCheck();
        assertTrue(result.startsWith("not reloaded"), result);
        assertDelivered(send(uri), f.alice);
        assertEquals(0, endpoint.getReloadCount());
        assertEquals(f.alice.subjectDn(), endpoint.getCertificateSubject());
        String error = endpoint.getLastReloadError();
        assertNotNull(error);
        assertTrue(error.startsWith(broken.errorStart), error);
    }

    @Test
    void anExpiredCertificateIsSwappedInWhenDatesAreNotValidated() throws Exception {
        writePem(f.alice);
        String uri = pemUri("&validateCertificateDates=false");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);

        Leaf expired = expired();
        writePem(expired);
        String result = endpoint.reloadCheck();
        assertTrue(result.startsWith("reloaded"), result);
        assertEquals(expired.subjectDn(), endpoint.getCertificateSubject());
        assertEquals(1, endpoint.getReloadCount());
    }

    @Test
    void keyStoreRewrittenWithAnotherPasswordIsKeptOut() throws Exception {
        Path store = f.alice.writePkcs12(dir, "identity.p12", PW.toCharArray(), PW.toCharArray());
        String uri = uri("keyStore=" + store + "&keyStorePassword=" + PW);
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);

        f.bob.writePkcs12(dir, "identity.p12", "another-pw".toCharArray(), "another-pw".toCharArray());
        assertTrue(endpoint.reloadCheck().startsWith("not reloaded"));
        assertDelivered(send(uri), f.alice);
        assertTrue(endpoint.getLastReloadError().startsWith("keyStorePassword"), endpoint.getLastReloadError());
    }

    enum Restored { REWRITTEN_WITH_ANOTHER_CERTIFICATE, DELETED }

    /**
     * The files went bad and then back to exactly what is presented (a rollback, or a file that was missing for a
     * moment): nothing is wrong any more, so the reload error and the health detail must go.
     */
    @ParameterizedTest
    @EnumSource(Restored.class)
    void filesRestoredToTheCurrentMaterialClearTheReloadError(Restored how) throws Exception {
        writePem(f.alice);
        String uri = pemUri("");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);

        if (how == Restored.DELETED) {
            Files.delete(cert);
        } else {
            f.bob.writeCertChainPem(dir, "cert.pem");
        }
        assertTrue(endpoint.reloadCheck().startsWith("not reloaded"));
        assertNotNull(endpoint.getLastReloadError());

        f.alice.writeCertChainPem(dir, "cert.pem");
        endpoint.reloadCheck();
        assertNull(endpoint.getLastReloadError(), "the files are good again");
        assertFalse(healthDetails().containsKey("reloadError"), healthDetails()::toString);
        assertDelivered(send(uri), f.alice);
    }

    // ---- what a swap does to connections and TLS sessions ----

    @Test
    void anIdlePooledConnectionOfTheOldIdentityIsClosedAtTheSwap() throws Exception {
        writePem(f.alice);
        String uri = pemUri("");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        Exchange before = send(uri);
        assertDelivered(before, f.alice);
        int connectionOfAlice = lastDelivery().connectionId();
        assertEquals(1, endpoint.getOpenConnections());
        assertEquals(1, endpoint.getIdleConnections());

        writePem(f.bob);
        assertTrue(endpoint.reloadCheck().startsWith("reloaded"));
        assertEquals(0, endpoint.getOpenConnections());
        assertEquals(0, stats(endpoint, f.alice).openConnections());

        assertDelivered(send(uri), f.bob);
        assertNotEquals(connectionOfAlice, lastDelivery().connectionId());
        assertEquals(1, endpoint.getOpenConnections());
        assertEquals(1, stats(endpoint, f.bob).openConnections());
        assertDelivered(send(uri), f.bob);
        assertEquals(2, endpoint.statistics().size(), endpoint.statistics()::toString);
    }

    @Test
    void aSendInFlightAcrossTheSwapFinishesWithTheOldIdentityAndItsConnectionIsClosed() throws Exception {
        writePem(f.alice);
        String uri = pemUri("");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        HeldBody body = new HeldBody("written while the certificate is swapped");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            ProducerTemplate template = ctx.createProducerTemplate();
            Future<Exchange> inFlight = executor.submit(() -> template.send(uri,
                    ex -> ex.getMessage().setBody(body)));
            assertTrue(body.reading.await(10, TimeUnit.SECONDS), "the send did not reach DATA");
            assertEquals(1, endpoint.getOpenConnections());
            assertEquals(0, endpoint.getIdleConnections());

            writePem(f.bob);
            assertTrue(endpoint.reloadCheck().startsWith("reloaded"));
            assertEquals(1, endpoint.getOpenConnections(), "the connection in use is not closed under the send");
            body.proceed.countDown();
            Exchange held = inFlight.get(10, TimeUnit.SECONDS);

            assertNull(held.getException(), () -> "the send in flight failed: " + held.getException());
            assertDelivered(held, f.alice);
            int oldConnection = lastDelivery().connectionId();
            assertEquals(0, endpoint.getOpenConnections(), "closed after its transaction, not pooled");
            assertEquals(0, stats(endpoint, f.alice).openConnections());

            assertDelivered(send(uri), f.bob);
            assertNotEquals(oldConnection, lastDelivery().connectionId());
        } finally {
            body.proceed.countDown();
            executor.shutdownNow();
        }
    }

    @Test
    void theFirstSendAfterASwapMakesAFullHandshake() throws Exception {
        writePem(f.alice);
        String uri = pemUri("&poolEnabled=false");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertEquals(false, resumed(send(uri)));
        assertEquals(true, resumed(send(uri)));

        writePem(f.bob);
        assertTrue(endpoint.reloadCheck().startsWith("reloaded"));
        Exchange first = send(uri);
        assertDelivered(first, f.bob);
        assertEquals(false, resumed(first));
        assertFalse(lastDelivery().sessionResumed());
        Exchange second = send(uri);
        assertDelivered(second, f.bob);
        assertEquals(true, resumed(second));
    }

    /** Only the trust changed, so the identity (and the pool's key) is the same: still nothing old is reused. */
    @Test
    void aTrustChangeAloneStartsNewTlsSessions() throws Exception {
        writePem(f.alice);
        String uri = pemUri("&poolEnabled=false");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        send(uri);
        assertEquals(true, resumed(send(uri)));

        writeTrust(f.pki, otherCa); // still trusts the server
        assertTrue(endpoint.reloadCheck().startsWith("reloaded"));
        Exchange after = send(uri);
        assertDelivered(after, f.alice);
        assertEquals(false, resumed(after), "a session of the old material was resumed");
        assertEquals(true, resumed(send(uri)));
        assertEquals(1, endpoint.getReloadCount());
    }

    @Test
    void aTrustChangeAloneClosesThePooledConnections() throws Exception {
        writePem(f.alice);
        String uri = pemUri("");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        send(uri);
        int oldConnection = lastDelivery().connectionId();
        assertEquals(1, endpoint.getIdleConnections());

        writeTrust(f.pki, otherCa);
        assertTrue(endpoint.reloadCheck().startsWith("reloaded"));
        assertEquals(0, endpoint.getOpenConnections());
        assertDelivered(send(uri), f.alice);
        assertNotEquals(oldConnection, lastDelivery().connectionId());
    }

    /** A set {alice, bob} replaced by {alice, carol}: alice is still presented, yet over new sessions only. */
    @Test
    void aReloadedSetWithTheSameFirstCertificateStartsNewSessions() throws Exception {
        Path cert2 = dir.resolve("cert2.pem");
        Path key2 = dir.resolve("key2.pem");
        writePem(f.alice);
        f.bob.writeCertChainPem(dir, "cert2.pem");
        f.bob.writeKeyPkcs8(dir, "key2.pem");
        String uri = uri("certificateFile=" + cert + "," + cert2 + "&privateKeyFile=" + key + "," + key2
                         + "&poolEnabled=false");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);
        assertEquals(true, resumed(send(uri)));

        carol.writeCertChainPem(dir, "cert2.pem");
        carol.writeKeyPkcs8(dir, "key2.pem");
        assertTrue(endpoint.reloadCheck().startsWith("reloaded"));
        Exchange after = send(uri);
        assertDelivered(after, f.alice);
        assertEquals(false, resumed(after));
    }

    // ---- trust ----

    @Test
    void trustRewrittenToACaThatDoesNotTrustTheServerIsUsedForTheNextSend() throws Exception {
        writePem(f.alice);
        String uri = pemUri("");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);

        writeTrust(otherCa);
        assertTrue(endpoint.reloadCheck().startsWith("reloaded"));
        Exchange refused = sendExpectingFailure(uri);
        assertInstanceOf(SmtpsCertPermanentException.class, refused.getException());
        String message = refused.getException().getMessage();
        assertTrue(message.contains("is not trusted by trustCertificates=" + trust), message);

        writeTrust(f.pki);
        assertTrue(endpoint.reloadCheck().startsWith("reloaded"));
        assertDelivered(send(uri), f.alice);
        assertEquals(2, endpoint.getReloadCount());
    }

    @Test
    void anUntrustedServerBecomesReachableWhenTheTrustFileIsFixed() throws Exception {
        writePem(f.alice);
        writeTrust(otherCa);
        String uri = pemUri("");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertTrue(sendExpectingFailure(uri).getException().getMessage().contains("is not trusted by"));

        writeTrust(f.pki);
        assertTrue(endpoint.reloadCheck().startsWith("reloaded"));
        assertDelivered(send(uri), f.alice);
    }

    // ---- registry beans ----

    @Test
    void sslContextParametersBeanWhoseKeyStoreFileIsRewrittenIsReloaded() throws Exception {
        Path store = f.alice.writePkcs12(dir, "identity.p12", PW.toCharArray(), PW.toCharArray());
        ctx.getRegistry().bind("scp", sslContextParameters(store));
        String uri = uri("sslContextParameters=#scp");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);
        assertTrue(endpoint.reloadCheck().startsWith("unchanged"));

        f.bob.writePkcs12(dir, "identity.p12", PW.toCharArray(), PW.toCharArray());
        String result = endpoint.reloadCheck();
        assertTrue(result.startsWith("reloaded"), result);
        assertDelivered(send(uri), f.bob);
        assertEquals(1, endpoint.getReloadCount());
    }

    @Test
    void clientIdentityBeanReplacedUnderTheSameNameIsReloaded() throws Exception {
        ctx.getRegistry().bind("identity", identity(f.alice));
        String uri = uri("clientCertificates=#identity");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);

        ctx.getRegistry().bind("identity", identity(f.bob));
        String result = endpoint.reloadCheck();
        assertTrue(result.startsWith("reloaded"), result);
        assertDelivered(send(uri), f.bob);
        assertEquals(1, endpoint.getReloadCount());
        assertEquals(NOW.toString(), endpoint.getLastReloadTime());
    }

    @Test
    void anUnchangedBeanIsNotSwapped() throws Exception {
        ctx.getRegistry().bind("identity", identity(f.alice));
        String uri = uri("clientCertificates=#identity&poolEnabled=false");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        send(uri);
        assertEquals(true, resumed(send(uri)));

        for (int i = 0; i < 3; i++) {
            String result = endpoint.reloadCheck();
            assertTrue(result.startsWith("unchanged"), result);
        }
        String forced = endpoint.reloadCertificates();
        assertTrue(forced.startsWith("unchanged"), forced);
        ctx.getRegistry().bind("identity", identity(f.alice)); // another object, the same certificate
        assertTrue(endpoint.reloadCheck().startsWith("unchanged"));

        assertEquals(0, endpoint.getReloadCount());
        assertNull(endpoint.getLastReloadTime());
        assertNull(endpoint.getLastReloadError());
        assertEquals(true, resumed(send(uri)), "nothing was retired");
    }

    /**
     * clientCertificates=#identities holding a List of ClientIdentity, replaced under the same name by a List of
     * another class (a third certificate turns List.of's two-element class into its n-element one).
     */
    @Test
    void aListBeanReplacedByAnotherKindOfListIsReloaded() throws Exception {
        ctx.getRegistry().bind("identities", List.of(identity(f.alice), identity(carol)));
        String uri = uri("clientCertificates=#identities");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);

        // Camel's registry keeps one bean per name and class: a List of another class is bound beside the old one,
        // so replacing means unbinding first
        ctx.getRegistry().unbind("identities");
        ctx.getRegistry().bind("identities", List.of(identity(f.bob), identity(f.alice), identity(carol)));
        String result = endpoint.reloadCheck();
        assertTrue(result.startsWith("reloaded"), result);
        assertDelivered(send(uri), f.bob);
    }

    @Test
    void anInvalidBeanIsKeptOut() throws Exception {
        ctx.getRegistry().bind("identities", List.of(identity(f.alice)));
        String uri = uri("clientCertificates=#identities");
        SmtpsCertEndpoint endpoint = endpoint(uri);
        assertDelivered(send(uri), f.alice);

        try (LogCapture log = new LogCapture(RELOADER)) {
            ctx.getRegistry().bind("identities", List.of("not an identity")); // the same List class as before
            assertTrue(endpoint.reloadCheck().startsWith("not reloaded"));
            endpoint.reloadCheck();
            assertEquals(1, log.warnings().size(), log.warnings()::toString);
        }
        assertDelivered(send(uri), f.alice);
        assertTrue(endpoint.getLastReloadError().startsWith("clientCertificates="), endpoint.getLastReloadError());
    }

    /**
     * A bean set is rebuilt at every check: its out-of-date member is left out each time, but the WARN about it is
     * for the state, not for every check (reloadInterval defaults to a minute).
     */
    @Test
    void anExpiredMemberOfABeanSetIsReportedOnceNotAtEveryCheck() throws Exception {
        try (LogCapture log = new LogCapture(IDENTITIES)) {
            ctx.getRegistry().bind("identities", List.of(identity(expired()), identity(f.alice)));
            String uri = uri("clientCertificates=#identities");
            SmtpsCertEndpoint endpoint = endpoint(uri);
            assertDelivered(send(uri), f.alice);
            for (int i = 0; i < 3; i++) {
                assertTrue(endpoint.reloadCheck().startsWith("unchanged"));
            }
            assertEquals(1, log.warnings("outside their validity dates").size(), log.warnings()::toString);
        }
    }

    // ---- helpers ----

    /** To the server, trusting trust.pem, with reloadInterval an hour unless the options set it. */
    private String uri(String options) {
        String interval = options.contains("reloadInterval=") ? "" : NO_TIMER + "&";
        return "smtps-cert:localhost:" + f.server.port() + "?tlsMode=IMPLICIT&from=sender@example.org"
               + "&to=rcpt@example.org&subject=reload&trustCertificates=" + trust + "&" + interval + options;
    }

    private String pemUri(String extra) {
        return uri("certificateFile=" + cert + "&privateKeyFile=" + key + extra);
    }

    /** The endpoint, started, its reload times taken from {@link #NOW}. */
    private SmtpsCertEndpoint endpoint(String uri) throws Exception {
        SmtpsCertEndpoint endpoint = ctx.getEndpoint(uri, SmtpsCertEndpoint.class);
        endpoint.clock(Clock.fixed(NOW, ZoneOffset.UTC));
        endpoint.start();
        return endpoint;
    }

    /** Writes the leaf's chain and key over cert.pem and key.pem, in place. */
    private void writePem(Leaf leaf) {
        leaf.writeCertChainPem(dir, "cert.pem");
        leaf.writeKeyPkcs8(dir, "key.pem");
    }

    /** Rewrites trust.pem, in place, with the roots of these CAs. */
    private void writeTrust(TestPki... cas) throws IOException {
        StringBuilder pem = new StringBuilder();
        for (TestPki ca : cas) {
            pem.append(Files.readString(ca.writeTrustPem(dir, "one-root.pem")));
        }
        Files.writeString(trust, pem.toString());
    }

    private static Leaf expired() {
        Instant now = Instant.now();
        return f.pki.issueClient("expired", KeyAlg.EC, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
    }

    private static List<String> pemBlocks(String pem) {
        List<String> blocks = new ArrayList<>();
        String end = "-----END CERTIFICATE-----";
        int from = 0;
        for (int at = pem.indexOf(end); at >= 0; at = pem.indexOf(end, from)) {
            blocks.add(pem.substring(from, at + end.length()).strip() + "\n");
            from = at + end.length();
        }
        return blocks;
    }

    private static ClientIdentity identity(Leaf leaf) {
        return ClientIdentity.of(leaf.key(), leaf.chain());
    }

    private Exchange send(String uri) {
        Exchange ex = sendExpectingFailure(uri);
        assertNull(ex.getException(), () -> "send failed: " + ex.getException());
        return ex;
    }

    private Exchange sendExpectingFailure(String uri) {
        return ctx.createProducerTemplate().send(uri, ex -> ex.getMessage().setBody("reload test"));
    }

    private static Boolean resumed(Exchange ex) {
        return ex.getMessage().getHeader(SmtpsCertConstants.SESSION_RESUMED, Boolean.class);
    }

    private static Delivery lastDelivery() {
        List<Delivery> deliveries = f.server.deliveries();
        assertFalse(deliveries.isEmpty());
        return deliveries.get(deliveries.size() - 1);
    }

    /** The server verified the leaf for the last delivery, which is this exchange's message. */
    private static void assertDelivered(Exchange ex, Leaf leaf) throws Exception {
        Delivery delivery = lastDelivery();
        assertEquals(ex.getMessage().getHeader(SmtpsCertConstants.MESSAGE_ID), delivery.message().getMessageID());
        assertEquals(leaf.sha256Hex(), delivery.clientCertSha256Hex(), () -> "expected " + leaf + " to be presented");
        assertEquals(leaf.subjectDn(), ex.getMessage().getHeader(SmtpsCertConstants.CLIENT_CERTIFICATE));
    }

    private static IdentityStatistics stats(SmtpsCertEndpoint endpoint, Leaf leaf) {
        IdentityStatistics stats = endpoint.statistics().get(leaf.sha256Hex());
        assertNotNull(stats, () -> "no figures for " + leaf + ": " + endpoint.statistics());
        return stats;
    }

    private Map<String, Object> healthDetails() {
        List<HealthCheck.Result> results = HealthCheckHelper.invoke(ctx).stream()
                .filter(r -> r.getCheck().getId().startsWith("smtps-cert")).toList();
        assertEquals(1, results.size(), results::toString);
        return results.get(0).getDetails();
    }

    /** A body whose first read waits until the test lets it go: the send holds its connection in DATA meanwhile. */
    private static final class HeldBody extends InputStream {
        final CountDownLatch reading = new CountDownLatch(1);
        final CountDownLatch proceed = new CountDownLatch(1);
        private final byte[] content;
        private int position;

        HeldBody(String text) {
            content = text.getBytes(StandardCharsets.US_ASCII);
        }

        private void gate() throws IOException {
            if (position == 0) {
                reading.countDown();
                try {
                    if (!proceed.await(10, TimeUnit.SECONDS)) {
                        throw new IOException("the test never let the body go");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        }

        @Override
        public int read() throws IOException {
            gate();
            return position < content.length ? content[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            gate();
            if (position >= content.length) {
                return -1;
            }
            int n = Math.min(length, content.length - position);
            System.arraycopy(content, position, buffer, offset, n);
            position += n;
            return n;
        }
    }
}
