package io.github.smtpscert.examples.quickstart;

import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuickstartTest {

    @Test
    void sendsFiveMailsPresentingTheClientCertificate() throws Exception {
        Quickstart.Report report = Quickstart.run();

        assertNotNull(report.clientSubjectDn(), "the quickstart runs against its embedded server by default");
        assertEquals(5, report.deliveries().size());
        for (Delivery delivery : report.deliveries()) {
            assertEquals(report.clientSubjectDn(), delivery.clientSubjectDn());
            assertEquals(java.util.List.of("postmaster@example.org"), delivery.envelopeRecipients());
            assertTrue(delivery.message().getSubject().startsWith("Quickstart message "));
        }
        assertEquals(5, report.messagesSent());
        assertTrue(report.succeeded());
    }
}
