package io.github.smtpscert.springboot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import io.github.smtpscert.SmtpsCertEndpoint;
import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import io.github.smtpscert.testsupport.TempDirs;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A PEM SSL bundle gives the client certificate and the trust; when its files are rewritten, Spring Boot reloads the
 * bundle (reload-on-update) and the endpoint swaps at once: the next send presents the new certificate on a new
 * connection with a new TLS session, as the server verifies. reloadInterval=0, so only Spring Boot's call can swap.
 * Then a reload that gives a key of another certificate is kept out. The methods run in order, on the same files.
 */
@SpringBootTest(classes = TestApplication.class, properties = {
    "spring.ssl.bundle.pem.mail.reload-on-update=true",
    "spring.ssl.bundle.watch.file.quiet-period=200ms",
    "camel.component.smtps-cert.ssl-bundle=mail",
    "camel.component.smtps-cert.reload-interval=0",
    "camel.component.smtps-cert.tls-mode=IMPLICIT",
    "camel.component.smtps-cert.timeout=5000",
    "camel.component.smtps-cert.from=sender@example.org",
    "camel.component.smtps-cert.to=rcpt@example.org",
    "camel.component.smtps-cert.subject=PEM bundle"
})
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PemSslBundleReloadTest {

    static final TestPki PKI = TestPki.create();
    static final Leaf ALICE = PKI.issueClient("alice-pem", KeyAlg.EC);
    static final Leaf BOB = PKI.issueClient("bob-pem", KeyAlg.RSA);
    static final MtlsSmtpServer SERVER = MtlsSmtpServer.start(PKI, PKI.issueServer("localhost"));
    /** The bundle's files: alice's PEM chain and key, and the CAs, until the test renews them. */
    static final Path DIR = TempDirs.create("smtpscert-pem-bundle");

    @DynamicPropertySource
    static void bundle(DynamicPropertyRegistry registry) {
        Path cert = ALICE.writeCertChainPem(DIR, "client.pem");
        Path key = ALICE.writeKeyPkcs8(DIR, "client.key");
        Path ca = PKI.writeTrustPem(DIR, "ca.pem");
        registry.add("spring.ssl.bundle.pem.mail.keystore.certificate", () -> "file:" + cert);
        registry.add("spring.ssl.bundle.pem.mail.keystore.private-key", () -> "file:" + key);
        registry.add("spring.ssl.bundle.pem.mail.truststore.certificate", () -> "file:" + ca);
    }

    @AfterAll
    static void stopServer() {
        SERVER.close();
        TempDirs.delete(DIR);
    }

    @Autowired
    CamelContext camelContext;

    @Autowired
    ProducerTemplate producer;

    @Test
    @Order(1)
    void rewrittenBundleFilesArePresentedFromTheNextSend() throws Exception {
        String uri = "smtps-cert:localhost:" + SERVER.port();
        Delivery first = Sends.send(producer, SERVER, uri, "from alice");
        assertEquals(ALICE.sha256Hex(), first.clientCertSha256Hex(), "certificate the server verified");
        Delivery pooled = Sends.send(producer, SERVER, uri, "alice again, pooled");
        assertEquals(first.connectionId(), pooled.connectionId(), "the second send reuses the pooled connection");

        // as a renewal tool would: new files beside the old ones, then moved over them
        Path cert = BOB.writeCertChainPem(DIR, "client.pem.new");
        Path key = BOB.writeKeyPkcs8(DIR, "client.key.new");
        replace(key, "client.key");
        replace(cert, "client.pem");

        SmtpsCertEndpoint endpoint = camelContext.getEndpoint(uri, SmtpsCertEndpoint.class);
        Sends.await("Spring Boot to reload the bundle and the endpoint to swap", Duration.ofSeconds(20),
                () -> endpoint.getReloadCount() >= 1);

        Delivery swapped = Sends.send(producer, SERVER, uri, "from bob");
        assertEquals(BOB.sha256Hex(), swapped.clientCertSha256Hex(), "certificate the server verified");
        assertNotEquals(first.connectionId(), swapped.connectionId(), "the old pooled connection is not used");
        assertFalse(swapped.sessionResumed(), "no TLS session of the old certificate is resumed");
        Delivery next = Sends.send(producer, SERVER, uri, "bob again");
        assertEquals(BOB.sha256Hex(), next.clientCertSha256Hex());
        assertEquals(1, endpoint.getReloadCount(), "one reload for one renewal");
    }

    /** After the renewal to bob: a key that is not bob's. */
    @Test
    @Order(2)
    void aReloadedBundleThatMakesNoValidIdentityIsKeptOut() throws Exception {
        String uri = "smtps-cert:localhost:" + SERVER.port() + "?subject=mismatch";
        SmtpsCertEndpoint endpoint = camelContext.getEndpoint(uri, SmtpsCertEndpoint.class);
        String presented = Sends.send(producer, SERVER, uri, "before").clientCertSha256Hex();
        assertEquals(BOB.sha256Hex(), presented);

        // alice's key with bob's certificate: Spring Boot reloads the bundle, the endpoint refuses what it gives
        Path key = ALICE.writeKeyPkcs8(DIR, "client.key.new");
        replace(key, "client.key");
        Sends.await("the endpoint to refuse the reloaded bundle", Duration.ofSeconds(20),
                () -> endpoint.getLastReloadError() != null);

        assertEquals(presented, Sends.send(producer, SERVER, uri, "after").clientCertSha256Hex(),
                "still the certificate from before");
        assertTrue(endpoint.getLastReloadError().contains("sslBundle 'mail'"), endpoint.getLastReloadError());
    }

    private static void replace(Path file, String name) throws java.io.IOException {
        Files.move(file, DIR.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
