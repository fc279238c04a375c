package io.github.smtpscert.examples.registry;

import java.util.Map;
import java.util.stream.Collectors;

import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RegistryBeanTest {

    @Test
    void eachRoutePresentsTheCertificateOfItsBean() throws Exception {
        LocalRun.Result result = LocalRun.send();

        Map<String, String> verifiedDnBySubject = result.deliveries().stream()
                .collect(Collectors.toMap(LocalRun::subject, Delivery::clientSubjectDn));
        assertEquals(Map.of("KeyStore bean", result.keyStoreBeanDn(),
                "SSLContextParameters bean", result.sslContextBeanDn()), verifiedDnBySubject);
    }
}
