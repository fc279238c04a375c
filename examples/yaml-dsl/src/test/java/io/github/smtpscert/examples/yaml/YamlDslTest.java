package io.github.smtpscert.examples.yaml;

import java.util.List;

import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class YamlDslTest {

    @Test
    void yamlRouteSendsWithTheComponentDefaultIdentity() throws Exception {
        LocalRun.Result result = LocalRun.send();

        assertEquals(3, result.deliveries().size(), "mail.count in application.properties");
        for (Delivery delivery : result.deliveries()) {
            assertEquals(result.clientSubjectDn(), delivery.clientSubjectDn());
            assertEquals(List.of("postmaster@example.org"), delivery.envelopeRecipients());
            // the URI option in the YAML wins over camel.component.smtps-cert.subject
            assertEquals("Sent by the YAML route", delivery.message().getSubject());
        }
    }
}
