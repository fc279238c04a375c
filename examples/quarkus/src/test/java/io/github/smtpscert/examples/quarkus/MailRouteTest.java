package io.github.smtpscert.examples.quarkus;

import java.util.List;

import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@QuarkusTestResource(EmbeddedServerResource.class)
class MailRouteTest {

    @Inject
    ProducerTemplate producer;

    @Test
    void sendsPresentingTheClientCertificate() throws Exception {
        int before = EmbeddedServerResource.server.deliveries().size();

        producer.sendBody("direct:send-mail", "Hello from the test.");

        List<Delivery> deliveries = EmbeddedServerResource.server.deliveries();
        assertEquals(before + 1, deliveries.size());
        Delivery delivery = deliveries.get(deliveries.size() - 1);
        assertEquals(EmbeddedServerResource.client.subjectDn(), delivery.clientSubjectDn());
        assertEquals(List.of("postmaster@example.org"), delivery.envelopeRecipients());
        assertEquals("Hello from Camel Quarkus", delivery.message().getSubject());
    }
}
