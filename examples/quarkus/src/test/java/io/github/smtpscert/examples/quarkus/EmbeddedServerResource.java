package io.github.smtpscert.examples.quarkus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.TestPki;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Before Quarkus starts: starts a local server that requires a client certificate, writes the client's PEM certificate
 * chain and key and the CA's PEM file, and points the "mail" TLS configuration at them, read again every second.
 */
public class EmbeddedServerResource implements QuarkusTestResourceLifecycleManager {

    static MtlsSmtpServer server;
    /** The client certificate in the PEM files now. */
    static volatile Leaf client;
    private static TestPki pki;
    private static Path dir;

    @Override
    public Map<String, String> start() {
        try {
            pki = TestPki.create();
            server = MtlsSmtpServer.start(pki, pki.issueServer("localhost"));
            dir = Files.createTempDirectory("smtps-cert-quarkus");
            renew("quarkus-client");
            return Map.of(
                    "smtp.host", "localhost",
                    "smtp.port", Integer.toString(server.port()),
                    "quarkus.tls.mail.key-store.pem.0.cert", dir.resolve("client.crt").toString(),
                    "quarkus.tls.mail.key-store.pem.0.key", dir.resolve("client.key").toString(),
                    "quarkus.tls.mail.trust-store.pem.certs", pki.writeTrustPem(dir, "ca.pem").toString(),
                    "quarkus.tls.mail.reload-period", "1s");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Issues a new client certificate and rewrites the PEM files with it. Each file is replaced by a rename, so Quarkus
     * never reads half a file; between the two renames it may read a key that does not match the certificate, which
     * smtps-cert refuses (keeping the old identity) until the next read.
     */
    static Leaf renew(String cn) throws Exception {
        Leaf leaf = pki.issueClient(cn, KeyAlg.RSA);
        Path staging = Files.createTempDirectory(dir, "staging");
        Files.move(leaf.writeKeyPkcs8(staging, "client.key"), dir.resolve("client.key"),
                StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(leaf.writeCertChainPem(staging, "client.crt"), dir.resolve("client.crt"),
                StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.delete(staging);
        client = leaf;
        return leaf;
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
