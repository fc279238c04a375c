package io.github.smtpscert.springboot;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.TempDirs;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The component's certificate health check (repository smtps-cert, one check smtps-cert:host:port per started
 * endpoint) in the actuator's health endpoint, through camel-spring-boot's camelHealth indicator: nothing but
 * spring-boot-starter-actuator beside the starter, and camel.health.exposure-level=full to list the checks that are UP.
 */
@SpringBootTest(classes = TestApplication.class, properties = {
    "management.endpoint.health.show-details=always",
    // Camel's default exposure level shows only the first check while all are UP (and every check that is DOWN)
    "camel.health.exposure-level=full",
    "camel.component.smtps-cert.ssl-bundle=mail",
    "camel.component.smtps-cert.tls-mode=IMPLICIT",
    "camel.component.smtps-cert.timeout=5000",
    "camel.component.smtps-cert.from=sender@example.org",
    "camel.component.smtps-cert.to=rcpt@example.org"
})
@DirtiesContext
class HealthTest {

    static final TestPki PKI = TestPki.create();
    static final Leaf CLIENT = PKI.issueClient("health-client", KeyAlg.EC);
    static final Leaf EXPIRED = PKI.issueClient("expired-client", KeyAlg.EC,
            Instant.now().minus(30, ChronoUnit.DAYS), Instant.now().minus(1, ChronoUnit.DAYS));
    static final MtlsSmtpServer SERVER = MtlsSmtpServer.start(PKI, PKI.issueServer("localhost"));
    static final Path DIR = TempDirs.create("smtpscert-health");

    @DynamicPropertySource
    static void bundle(DynamicPropertyRegistry registry) {
        Path cert = CLIENT.writeCertChainPem(DIR, "client.pem");
        Path key = CLIENT.writeKeyPkcs8(DIR, "client.key");
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
    HealthEndpoint health;

    @Autowired
    CamelContext camelContext;

    @Autowired
    ProducerTemplate producer;

    @Test
    void theCertificateCheckIsInTheActuatorsHealthAndAnExpiredCertificateTurnsItDown() throws Exception {
        String address = "localhost:" + SERVER.port();
        Sends.send(producer, SERVER, "smtps-cert:" + address, "health");

        CompositeHealthDescriptor all = assertInstanceOf(CompositeHealthDescriptor.class, health.health());
        HealthDescriptor camel = all.getComponents().get("camelHealth");
        assertNotNull(camel, () -> "camelHealth among " + all.getComponents().keySet());
        Map<String, Object> details = assertInstanceOf(IndicatedHealthDescriptor.class, camel).getDetails();
        assertEquals("UP", details.get("smtps-cert:" + address), () -> "camelHealth details: " + details);
        Map<?, ?> data = assertInstanceOf(Map.class, details.get("smtps-cert:" + address + ".data"));
        assertEquals(CLIENT.subjectDn(), data.get("subject"));
        assertEquals(address, data.get("server"));
        assertEquals(Status.UP, all.getStatus());

        // a second endpoint, to the same server, presenting an expired certificate (allowed to start)
        Path cert = EXPIRED.writeCertChainPem(DIR, "expired.pem");
        Path key = EXPIRED.writeKeyPkcs8(DIR, "expired.key");
        camelContext.getEndpoint("smtps-cert:" + address + "?certificateFile=" + cert + "&privateKeyFile=" + key
                                 + "&validateCertificateDates=false").start();
        IndicatedHealthDescriptor down = assertInstanceOf(IndicatedHealthDescriptor.class,
                health.healthForPath("camelHealth"));
        assertEquals(Status.DOWN, down.getStatus());
        assertEquals("UP", down.getDetails().get("smtps-cert:" + address));
        assertEquals("DOWN", down.getDetails().get("smtps-cert:" + address + "#2"),
                () -> "details: " + down.getDetails());
        assertEquals(Status.DOWN, health.health().getStatus());
        assertEquals(Status.OUT_OF_SERVICE, health.healthForPath("camelReadinessState").getStatus(), "readiness");
        assertEquals(Status.UP, health.healthForPath("camelLivenessState").getStatus(), "liveness");
    }
}
