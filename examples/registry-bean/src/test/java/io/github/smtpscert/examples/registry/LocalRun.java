package io.github.smtpscert.examples.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.main.Main;

/**
 * Runs the application unchanged against a local server that requires a client certificate: a throwaway CA issues
 * the server certificate and two client certificates, and the generated files replace the settings of
 * application.properties.
 */
public final class LocalRun {

    /** The subjects of the clientKeyStore and clientTls certificates, and what the server received. */
    record Result(String keyStoreBeanDn, String sslContextBeanDn, List<Delivery> deliveries) {
    }

    public static void main(String[] args) throws Exception {
        for (Delivery d : send().deliveries()) {
            System.out.printf("received \"%s\", client certificate verified by the server: %s%n",
                    d.message().getSubject(), d.clientSubjectDn());
        }
    }

    static String subject(Delivery delivery) {
        try {
            return delivery.message().getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Result send() throws Exception {
        TestPki pki = TestPki.create();
        Leaf alice = pki.issueClient("alice", KeyAlg.RSA);
        Leaf bob = pki.issueClient("bob", KeyAlg.EC);
        char[] password = UUID.randomUUID().toString().toCharArray();
        Path dir = Files.createTempDirectory("smtps-cert-registry-bean");
        try (MtlsSmtpServer server = MtlsSmtpServer.start(pki, pki.issueServer("localhost"))) {
            Main main = RegistryBeanApp.create();
            main.addOverrideProperty("smtp.host", "localhost");
            main.addOverrideProperty("smtp.port", Integer.toString(server.port()));
            main.addOverrideProperty("client.key-store", alice.writePkcs12(dir, "alice.p12", password, password).toString());
            main.addOverrideProperty("client.key-store-password", new String(password));
            main.addOverrideProperty("trust.certificates", pki.writeTrustPem(dir, "ca.pem").toString());
            main.addOverrideProperty("tls.key-store", bob.writePkcs12(dir, "bob.p12", password, password).toString());
            main.addOverrideProperty("tls.key-store-password", new String(password));
            main.addOverrideProperty("tls.trust-store", pki.writeTrustStore(dir, "trust.p12", password, "PKCS12").toString());
            main.addOverrideProperty("tls.trust-store-password", new String(password));
            main.run();
            return new Result(alice.subjectDn(), bob.subjectDn(), server.deliveries());
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
