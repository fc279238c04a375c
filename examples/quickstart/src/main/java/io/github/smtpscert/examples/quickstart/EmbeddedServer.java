package io.github.smtpscert.examples.quickstart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.TestPki;

/**
 * A throwaway CA, a server and a client certificate, a local SMTPS server that requires the client certificate,
 * and the client's PKCS12 file and the CA's PEM file in a temporary folder.
 */
final class EmbeddedServer implements AutoCloseable {

    private final Leaf client;
    private final MtlsSmtpServer server;
    private final Path dir;
    private final Properties properties = new Properties();

    EmbeddedServer() {
        TestPki pki = TestPki.create();
        client = pki.issueClient("quickstart-client", KeyAlg.RSA);
        server = MtlsSmtpServer.start(pki, pki.issueServer("localhost"));
        try {
            dir = Files.createTempDirectory("smtps-cert-quickstart");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        char[] password = UUID.randomUUID().toString().toCharArray();
        Path keyStore = client.writePkcs12(dir, "client.p12", password, password);
        Path trust = pki.writeTrustPem(dir, "ca.pem");

        properties.setProperty("smtp.host", "localhost");
        properties.setProperty("smtp.port", Integer.toString(server.port()));
        properties.setProperty("smtp.tls-mode", "IMPLICIT");
        properties.setProperty("client.key-store", keyStore.toString());
        properties.setProperty("client.key-store-password", new String(password));
        properties.setProperty("trust.certificates", trust.toString());
    }

    /** Values that replace the relay settings of application.properties. */
    Properties properties() {
        return properties;
    }

    String clientSubjectDn() {
        return client.subjectDn();
    }

    List<MtlsSmtpServer.Delivery> deliveries() {
        return server.deliveries();
    }

    @Override
    public void close() {
        server.close();
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
            Files.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
