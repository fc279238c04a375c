package io.github.smtpscert.quarkus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.TestPki;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Writes, before Quarkus starts, one key store of each kind Quarkus's TLS registry reads, and names a TLS
 * configuration after each: {@code pem} (PEM certificate chain and key, PEM trust), {@code p12} (PKCS12 whose key
 * entry has a password of its own, selected by alias), {@code jks} (JKS) and {@code trusting} (trust-all); and
 * the unnamed configuration ({@code quarkus.tls.key-store.*}), which the registry calls {@code <default>}.
 */
public class TlsFilesResource implements QuarkusTestResourceLifecycleManager {

    static final String STORE_PASSWORD = "store-secret";
    static final String KEY_PASSWORD = "key-secret";

    static TestPki pki;
    static Leaf pemLeaf;
    static Leaf p12Leaf;
    static Leaf jksLeaf;
    static Leaf defaultLeaf;
    static Path dir;

    @Override
    public Map<String, String> start() {
        try {
            pki = TestPki.create();
            pemLeaf = pki.issueClient("pem-client", KeyAlg.RSA);
            p12Leaf = pki.issueClient("p12-client", KeyAlg.EC);
            jksLeaf = pki.issueClient("jks-client", KeyAlg.RSA);
            defaultLeaf = pki.issueClient("default-client", KeyAlg.EC);
            dir = Files.createTempDirectory("smtps-cert-quarkus-module");
            Map<String, String> config = new HashMap<>();
            config.put("quarkus.tls.pem.key-store.pem.0.cert", pemLeaf.writeCertChainPem(dir, "pem.crt").toString());
            config.put("quarkus.tls.pem.key-store.pem.0.key", pemLeaf.writeKeyPkcs8(dir, "pem.key").toString());
            config.put("quarkus.tls.pem.trust-store.pem.certs", pki.writeTrustPem(dir, "ca.pem").toString());
            config.put("quarkus.tls.p12.key-store.p12.path", p12Leaf.writePkcs12(dir, "client.p12",
                    STORE_PASSWORD.toCharArray(), KEY_PASSWORD.toCharArray()).toString());
            config.put("quarkus.tls.p12.key-store.p12.password", STORE_PASSWORD);
            config.put("quarkus.tls.p12.key-store.p12.alias", p12Leaf.alias());
            config.put("quarkus.tls.p12.key-store.p12.alias-password", KEY_PASSWORD);
            config.put("quarkus.tls.jks.key-store.jks.path", jksLeaf.writeJks(dir, "client.jks",
                    STORE_PASSWORD.toCharArray(), STORE_PASSWORD.toCharArray()).toString());
            config.put("quarkus.tls.jks.key-store.jks.password", STORE_PASSWORD);
            config.put("quarkus.tls.trusting.trust-all", "true");
            config.put("quarkus.tls.key-store.pem.0.cert",
                    defaultLeaf.writeCertChainPem(dir, "default.crt").toString());
            config.put("quarkus.tls.key-store.pem.0.key", defaultLeaf.writeKeyPkcs8(dir, "default.key").toString());
            return config;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
