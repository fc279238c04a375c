package io.github.smtpscert.examples.yaml;

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
 * Runs the YAML route unchanged against a local server that requires a client certificate: a throwaway CA issues the
 * server and client certificates, and the generated files replace the relay settings of application.properties.
 */
public final class LocalRun {

    /** The client certificate the route presented, and what the server received. */
    record Result(String clientSubjectDn, List<Delivery> deliveries) {
    }

    public static void main(String[] args) throws Exception {
        Result result = send();
        for (Delivery d : result.deliveries()) {
            System.out.printf("received \"%s\" for %s, client certificate verified by the server: %s%n",
                    d.message().getSubject(), d.envelopeRecipients(), d.clientSubjectDn());
        }
    }

    static Result send() throws Exception {
        TestPki pki = TestPki.create();
        Leaf client = pki.issueClient("yaml-client", KeyAlg.EC);
        Path dir = Files.createTempDirectory("smtps-cert-yaml");
        try (MtlsSmtpServer server = MtlsSmtpServer.start(pki, pki.issueServer("localhost"))) {
            String password = UUID.randomUUID().toString();
            Main main = new Main();
            main.addOverrideProperty("smtp.host", "localhost");
            main.addOverrideProperty("smtp.port", Integer.toString(server.port()));
            main.addOverrideProperty("camel.component.smtps-cert.keyStore",
                    client.writePkcs12(dir, "client.p12", password.toCharArray(), password.toCharArray()).toString());
            main.addOverrideProperty("client.key-store-password", password);
            main.addOverrideProperty("camel.component.smtps-cert.trustCertificates",
                    pki.writeTrustPem(dir, "ca.pem").toString());
            main.run();
            return new Result(client.subjectDn(), server.deliveries());
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
