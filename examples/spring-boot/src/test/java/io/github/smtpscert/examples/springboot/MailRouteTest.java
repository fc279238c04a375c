package io.github.smtpscert.examples.springboot;

import java.nio.file.Path;
import java.util.List;

import io.github.smtpscert.SmtpsCertComponent;
import io.github.smtpscert.SmtpsCertConfiguration;
import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.junit.jupiter.api.Assertions.assertEquals;

@SpringBootTest
class MailRouteTest {

    @TempDir
    static Path dir;

    static final TestPki PKI = TestPki.create();
    static final Leaf CLIENT = PKI.issueClient("spring-boot-client", KeyAlg.EC);
    static final MtlsSmtpServer SERVER = MtlsSmtpServer.start(PKI, PKI.issueServer("localhost"));

    @DynamicPropertySource
    static void pointAtTheEmbeddedServer(DynamicPropertyRegistry registry) {
        registry.add("smtp.host", () -> "localhost");
        registry.add("smtp.port", SERVER::port);
        registry.add("camel.component.smtps-cert.certificate-file", () -> CLIENT.writeCertChainPem(dir, "client.pem").toString());
        registry.add("camel.component.smtps-cert.private-key-file", () -> CLIENT.writeKeyPkcs8(dir, "client.key").toString());
        registry.add("camel.component.smtps-cert.trust-certificates", () -> PKI.writeTrustPem(dir, "ca.pem").toString());
    }

    @AfterAll
    static void stopServer() {
        SERVER.close();
    }

    @Autowired
    CamelContext camelContext;

    @Autowired
    ProducerTemplate producer;

    @Test
    void propertiesReachTheComponent() {
        SmtpsCertConfiguration defaults = camelContext.getComponent("smtps-cert", SmtpsCertComponent.class).getConfiguration();
        assertEquals(dir.resolve("client.pem").toString(), defaults.getCertificateFile());
        assertEquals(dir.resolve("client.key").toString(), defaults.getPrivateKeyFile());
        assertEquals(dir.resolve("ca.pem").toString(), defaults.getTrustCertificates());
        assertEquals("Hello from Spring Boot", defaults.getSubject());
    }

    @Test
    void sendsPresentingThePemClientCertificate() throws Exception {
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
