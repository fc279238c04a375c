package io.github.smtpscert.examples.quarkus;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.github.smtpscert.SmtpsCertEndpoint;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@QuarkusTest
@QuarkusTestResource(EmbeddedServerResource.class)
class MailRouteTest {

    /** Quarkus reads the files every second in this test; this bounds the wait for it and for smtps-cert's swap. */
    private static final Duration RELOAD_WAIT = Duration.ofSeconds(30);

    @Inject
    ProducerTemplate producer;

    @Inject
    CamelContext camel;

    @Test
    void sendsPresentingTheCertificateOfTheTlsConfiguration() throws Exception {
        Leaf client = EmbeddedServerResource.client;

        Delivery delivery = send("Hello from the test.");

        assertEquals(client.subjectDn(), delivery.clientSubjectDn());
        assertEquals(client.sha256Hex(), delivery.clientCertSha256Hex());
        assertEquals(List.of("postmaster@example.org"), delivery.envelopeRecipients());
        assertEquals("Hello from Camel Quarkus", delivery.message().getSubject());
    }

    @Test
    void whenQuarkusReloadsRenewedFilesTheNextSendsPresentTheNewCertificate() throws Exception {
        Delivery before = send("Before the renewal.");
        assertEquals(EmbeddedServerResource.client.sha256Hex(), before.clientCertSha256Hex());
        SmtpsCertEndpoint endpoint = endpoint();
        long reloads = endpoint.getReloadCount();

        Leaf renewed = EmbeddedServerResource.renew("quarkus-client-renewed-" + System.nanoTime());

        // reload-interval=0: only Quarkus's reload (reload-period) and its CertificateUpdatedEvent can swap
        long deadline = System.nanoTime() + RELOAD_WAIT.toNanos();
        while (!renewed.subjectDn().equals(endpoint.getCertificateSubject())) {
            if (System.nanoTime() > deadline) {
                fail("smtps-cert did not swap to the renewed certificate within " + RELOAD_WAIT + ": it presents "
                     + endpoint.getCertificateSubject() + ", last reload error: " + endpoint.getLastReloadError());
            }
            Thread.sleep(100);
        }
        assertTrue(endpoint.getReloadCount() > reloads);

        Delivery first = send("After the renewal.");
        assertEquals(renewed.sha256Hex(), first.clientCertSha256Hex());
        assertNotEquals(before.connectionId(), first.connectionId(), "the connection of the old identity is retired");
        assertFalse(first.sessionResumed(), "a session of the old identity is never resumed");
        Delivery second = send("After the renewal, again.");
        assertEquals(renewed.sha256Hex(), second.clientCertSha256Hex());

        // the component's readiness check (repository smtps-cert) reports the certificate presented now; "full": the
        // default exposure level sums up checks that are UP in one result
        HealthCheck.Result health = HealthCheckHelper.invokeReadiness(camel, "full").stream()
                .filter(r -> r.getCheck().getId().startsWith("smtps-cert:")).findFirst()
                .orElseThrow(() -> new AssertionError("no smtps-cert health check"));
        assertEquals(HealthCheck.State.UP, health.getState());
        assertEquals(renewed.subjectDn(), health.getDetails().get("subject"));
    }

    private Delivery send(String body) {
        int before = EmbeddedServerResource.server.deliveries().size();
        producer.sendBody("direct:send-mail", body);
        List<Delivery> deliveries = EmbeddedServerResource.server.deliveries();
        assertEquals(before + 1, deliveries.size());
        return deliveries.get(deliveries.size() - 1);
    }

    private SmtpsCertEndpoint endpoint() {
        Optional<SmtpsCertEndpoint> found = camel.getEndpoints().stream()
                .filter(SmtpsCertEndpoint.class::isInstance).map(SmtpsCertEndpoint.class::cast).findFirst();
        return found.orElseThrow(() -> new AssertionError("no smtps-cert endpoint"));
    }
}
