package io.github.smtpscert.examples.quarkus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.TestPki;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts a local server that requires a client certificate, writes the client's PKCS12 file and the CA's PEM file,
 * and points the application's settings at them.
 */
public class EmbeddedServerResource implements QuarkusTestResourceLifecycleManager {

    static MtlsSmtpServer server;
    static Leaf client;
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            TestPki pki = TestPki.create();
            client = pki.issueClient("quarkus-client", KeyAlg.RSA);
            server = MtlsSmtpServer.start(pki, pki.issueServer("localhost"));
            dir = Files.createTempDirectory("smtps-cert-quarkus");
            char[] password = UUID.randomUUID().toString().toCharArray();
            return Map.of(
                    "smtp.host", "localhost",
                    "smtp.port", Integer.toString(server.port()),
                    "camel.component.smtps-cert.key-store", client.writePkcs12(dir, "client.p12", password, password).toString(),
                    "camel.component.smtps-cert.key-store-password", new String(password),
                    "camel.component.smtps-cert.trust-certificates", pki.writeTrustPem(dir, "ca.pem").toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        server.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
