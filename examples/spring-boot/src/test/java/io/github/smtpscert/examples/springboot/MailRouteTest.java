package io.github.smtpscert.examples.springboot;

import java.nio.file.Path;
import java.util.List;

import io.github.smtpscert.SmtpsCertComponent;
import io.github.smtpscert.SmtpsCertConfiguration;
import io.github.smtpscert.TlsMode;
import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import io.github.smtpscert.testsupport.TempDirs;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The application as configured by application.properties, with the SSL bundle's files and the relay pointed at a
 * local SMTPS server that requires a client certificate from the component's test PKI.
 */
@SpringBootTest
class MailRouteTest {

    static final TestPki PKI = TestPki.create();
    static final Leaf CLIENT = PKI.issueClient("spring-boot-client", KeyAlg.EC);
    static final MtlsSmtpServer SERVER = MtlsSmtpServer.start(PKI, PKI.issueServer("localhost"));
    static final Path DIR = TempDirs.create("smtpscert-spring-boot-example");

    @DynamicPropertySource
    static void pointAtTheEmbeddedServer(DynamicPropertyRegistry registry) {
        Path cert = CLIENT.writeCertChainPem(DIR, "client.pem");
        Path key = CLIENT.writeKeyPkcs8(DIR, "client.key");
        Path ca = PKI.writeTrustPem(DIR, "ca.pem");
        registry.add("smtp.host", () -> "localhost");
        registry.add("smtp.port", SERVER::port);
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
    void propertiesReachTheComponent() {
        SmtpsCertConfiguration defaults = camelContext.getComponent("smtps-cert", SmtpsCertComponent.class)
                .getConfiguration();
        assertEquals("mail", defaults.getSslBundle());
        assertEquals(TlsMode.IMPLICIT, defaults.getTlsMode());
        assertEquals("spring-boot@example.org", defaults.getFrom());
        assertEquals("Hello from Spring Boot", defaults.getSubject());
    }

    @Test
    void sendsPresentingTheBundlesClientCertificate() throws Exception {
        int before = SERVER.deliveries().size();

        producer.sendBody("direct:send-mail", "Hello from the test.");

        List<Delivery> received = SERVER.deliveries().subList(before, SERVER.deliveries().size());
        assertEquals(1, received.size());
        Delivery delivery = received.get(0);
        assertEquals(CLIENT.subjectDn(), delivery.clientSubjectDn());
        assertEquals(CLIENT.sha256Hex(), delivery.clientCertSha256Hex());
        assertEquals(List.of("postmaster@example.org"), delivery.envelopeRecipients());
        assertEquals("Hello from Spring Boot", delivery.message().getSubject());
    }
}
