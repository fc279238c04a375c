package io.github.smtpscert.springboot;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.TempDirs;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * JKS bundles (spring.ssl.bundle.jks.*): a key password that differs from the store password (key.password), and
 * key.alias picking one entry of a store that holds two; the trust from the bundle's JKS trust store.
 */
@SpringBootTest(classes = TestApplication.class, properties = {
    "camel.component.smtps-cert.tls-mode=IMPLICIT",
    "camel.component.smtps-cert.timeout=5000",
    "camel.component.smtps-cert.from=sender@example.org",
    "camel.component.smtps-cert.to=rcpt@example.org",
    "camel.component.smtps-cert.subject=JKS bundle"
})
@DirtiesContext
class JksSslBundleTest {

    static final TestPki PKI = TestPki.create();
    static final Leaf CAROL = PKI.issueClient("carol-jks", KeyAlg.RSA);
    static final Leaf ALICE = PKI.issueClient("alice-jks", KeyAlg.EC);
    static final Leaf BOB = PKI.issueClient("bob-jks", KeyAlg.EC);
    static final MtlsSmtpServer SERVER = MtlsSmtpServer.start(PKI, PKI.issueServer("localhost"));
    static final Path DIR = TempDirs.create("smtpscert-jks-bundle");

    @DynamicPropertySource
    static void bundles(DynamicPropertyRegistry registry) {
        Path carol = CAROL.writeJks(DIR, "carol.jks", "store-secret".toCharArray(), "key-secret".toCharArray());
        Map<String, Leaf> two = new LinkedHashMap<>();
        two.put("alice", ALICE);
        two.put("bob", BOB);
        Path pair = TestPki.writeKeyStore(DIR.resolve("pair.p12"), "PKCS12", "pair-secret".toCharArray(), two);
        Path trust = PKI.writeTrustStore(DIR, "trust.jks", "trust-secret".toCharArray(), "JKS");

        registry.add("spring.ssl.bundle.jks.carol.keystore.location", () -> "file:" + carol);
        registry.add("spring.ssl.bundle.jks.carol.keystore.type", () -> "JKS");
        registry.add("spring.ssl.bundle.jks.carol.keystore.password", () -> "store-secret");
        registry.add("spring.ssl.bundle.jks.carol.key.password", () -> "key-secret");
        registry.add("spring.ssl.bundle.jks.carol.truststore.location", () -> "file:" + trust);
        registry.add("spring.ssl.bundle.jks.carol.truststore.type", () -> "JKS");
        registry.add("spring.ssl.bundle.jks.carol.truststore.password", () -> "trust-secret");

        registry.add("spring.ssl.bundle.jks.pair.keystore.location", () -> "file:" + pair);
        registry.add("spring.ssl.bundle.jks.pair.keystore.type", () -> "PKCS12");
        registry.add("spring.ssl.bundle.jks.pair.keystore.password", () -> "pair-secret");
        registry.add("spring.ssl.bundle.jks.pair.key.alias", () -> "bob");
        registry.add("spring.ssl.bundle.jks.pair.truststore.location", () -> "file:" + trust);
        registry.add("spring.ssl.bundle.jks.pair.truststore.type", () -> "JKS");
        registry.add("spring.ssl.bundle.jks.pair.truststore.password", () -> "trust-secret");
    }

    @AfterAll
    static void stopServer() {
        SERVER.close();
        TempDirs.delete(DIR);
    }

    @Autowired
    ProducerTemplate producer;

    @Test
    void keyPasswordOfTheBundleUnlocksTheKeyEntry() {
        String uri = "smtps-cert:localhost:" + SERVER.port() + "?sslBundle=carol";
        assertEquals(CAROL.sha256Hex(), Sends.send(producer, SERVER, uri, "carol").clientCertSha256Hex());
    }

    @Test
    void keyAliasOfTheBundlePicksTheEntry() {
        String uri = "smtps-cert:localhost:" + SERVER.port() + "?sslBundle=pair";
        assertEquals(BOB.sha256Hex(), Sends.send(producer, SERVER, uri, "bob").clientCertSha256Hex());
    }
}
