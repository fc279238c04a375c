package io.github.smtpscert;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.MtlsSmtpServer.ClientAuth;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.github.smtpscert.MtlsFixture.PW;
import static io.github.smtpscert.MtlsFixture.sslContextParameters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way of configuring the client identity ends with the server verifying exactly that certificate. */
class IdentitySourcesTest {

    private static final String KEY_PW = "key-only-pw";
    @RegisterExtension
    static final MtlsFixture f = MtlsFixture.perClass();

    @TempDir
    Path dir;

    // ---- key store files ----

    @Test
    void pkcs12PlainPath() throws Exception {
        assertPresents(f.alice, "keyStore=" + f.aliceP12 + "&keyStorePassword=" + PW);
    }

    @Test
    void pkcs12FilePrefix() throws Exception {
        assertPresents(f.bob, "keyStore=file:" + f.bobP12 + "&keyStorePassword=" + PW);
    }

    @Test
    void pkcs12OnClasspath() throws Exception {
        Path testClasses = Path.of(IdentitySourcesTest.class.getResource("/").toURI());
        String name = "identity-sources-" + UUID.randomUUID() + ".p12";
        Path copy = Files.copy(f.aliceP12, testClasses.resolve(name));
        try {
            assertPresents(f.alice, "keyStore=classpath:" + name + "&keyStorePassword=" + PW);
        } finally {
            Files.delete(copy);
        }
    }

    @Test
    void jksWithSeparateKeyPassword() throws Exception {
        Path jks = f.bob.writeJks(dir, "bob.jks", PW.toCharArray(), KEY_PW.toCharArray());
        assertPresents(f.bob, "keyStore=" + jks + "&keyStoreType=JKS&keyStorePassword=" + PW + "&keyPassword=" + KEY_PW);
    }

    @Test
    void pkcs12WithSeparateKeyPassword() throws Exception {
        Path p12 = f.alice.writePkcs12(dir, "alice-kp.p12", PW.toCharArray(), KEY_PW.toCharArray());
        assertPresents(f.alice, "keyStore=" + p12 + "&keyStorePassword=" + PW + "&keyPassword=" + KEY_PW);
    }

    // ---- PEM ----

    enum KeyFormat { PKCS8, PKCS8_ENCRYPTED, TRADITIONAL, TRADITIONAL_ENCRYPTED }

    static List<Arguments> pemCombinations() {
        List<Arguments> all = new java.util.ArrayList<>();
        for (KeyAlg alg : KeyAlg.values()) {
            for (KeyFormat format : KeyFormat.values()) {
                all.add(Arguments.of(alg, format));
            }
        }
        return all;
    }

    @ParameterizedTest(name = "{0} key as {1}")
    @MethodSource("pemCombinations")
    void pemCertificateAndKey(KeyAlg alg, KeyFormat format) throws Exception {
        Leaf leaf = alg == KeyAlg.RSA ? f.alice : f.bob;
        Path cert = leaf.writeCertChainPem(dir, "chain.pem");
        char[] pw = "pem-pw".toCharArray();
        Path key = switch (format) {
            case PKCS8 -> leaf.writeKeyPkcs8(dir, "key.pem");
            case PKCS8_ENCRYPTED -> leaf.writeKeyPkcs8Encrypted(dir, "key.pem", pw);
            case TRADITIONAL -> leaf.writeKeyTraditional(dir, "key.pem");
            case TRADITIONAL_ENCRYPTED -> leaf.writeKeyTraditionalEncrypted(dir, "key.pem", pw);
        };
        boolean encrypted = format == KeyFormat.PKCS8_ENCRYPTED || format == KeyFormat.TRADITIONAL_ENCRYPTED;
        assertPresents(leaf, "certificateFile=" + cert + "&privateKeyFile=" + key
                             + (encrypted ? "&privateKeyPassword=pem-pw" : ""));
    }

    // ---- registry beans ----

    @Test
    void keyStoreBeanWithKeyPassword() throws Exception {
        assertPresentsWithBean(f.alice, f.alice.keyStore(KEY_PW.toCharArray()), "&keyPassword=" + KEY_PW);
    }

    @Test
    void keyStoreBeanWithKeyStorePassword() throws Exception {
        assertPresentsWithBean(f.bob, f.bob.keyStore(PW.toCharArray()), "&keyStorePassword=" + PW);
    }

    @Test
    void x509KeyManagerBean() throws Exception {
        assertPresentsWithBean(f.bob, keyManagers(f.bob)[0], "");
    }

    @Test
    void keyManagerArrayBean() throws Exception {
        assertPresentsWithBean(f.alice, keyManagers(f.alice), "");
    }

    @Test
    void sslContextParametersBean() throws Exception {
        assertPresentsWithBean(f.bob, sslContextParameters(f.bobP12), "");
    }

    @Test
    void clientIdentityBean() throws Exception {
        Leaf leaf = f.alice;
        assertPresentsWithBean(leaf, ClientIdentity.of(leaf.key(), leaf.chain()), "");
    }

    @Test
    void sslContextParametersOption() throws Exception {
        try (CamelContext ctx = MtlsFixture.context()) {
            ctx.getRegistry().bind("scp", sslContextParameters(f.aliceP12));
            assertPresents(ctx, f.alice, "sslContextParameters=#scp");
        }
    }

    @Test
    void globalSslContextParameters() throws Exception {
        try (CamelContext ctx = MtlsFixture.context()) {
            ctx.setSSLContextParameters(sslContextParameters(f.bobP12));
            ctx.getComponent("smtps-cert", SmtpsCertComponent.class).setUseGlobalSslContextParameters(true);
            assertPresents(ctx, f.bob, "");
        }
    }

    // ---- several key entries ----

    @Test
    void withoutKeyAliasTheAliasThatSortsFirstIsPresented() throws Exception {
        Map<String, Leaf> entries = threeEntries();
        Path store = TestPki.writeKeyStore(dir.resolve("three.p12"), "PKCS12", PW.toCharArray(), entries);
        assertPresents(entries.get("charlie"), "keyStore=" + store + "&keyStorePassword=" + PW);
    }

    @Test
    void keyAliasPicksTheNamedEntry() throws Exception {
        Map<String, Leaf> entries = threeEntries();
        Path store = TestPki.writeKeyStore(dir.resolve("three.p12"), "PKCS12", PW.toCharArray(), entries);
        assertPresents(entries.get("mike"), "keyStore=" + store + "&keyStorePassword=" + PW + "&keyAlias=mike");
    }

    @Test
    void keyStoreBeanWithSeveralEntriesAlsoPresentsTheFirstAlias() throws Exception {
        Map<String, Leaf> entries = threeEntries();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (Map.Entry<String, Leaf> e : entries.entrySet()) {
            store.setKeyEntry(e.getKey(), e.getValue().key(), PW.toCharArray(), e.getValue().chain());
        }
        assertPresentsWithBean(entries.get("charlie"), store, "&keyStorePassword=" + PW);
    }

    // ---- anonymous ----

    @Test
    void anonymousAgainstServerThatOnlyWantsACertificate() throws Exception {
        MtlsSmtpServer.Builder builder = MtlsSmtpServer.builder(f.pki, f.pki.issueServer("localhost")).clientAuth(ClientAuth.WANT);
        try (MtlsFixture want = new MtlsFixture(builder); CamelContext ctx = MtlsFixture.context()) {
            Exchange ex = MtlsFixture.send(ctx, want.uri(""), "anonymous body");

            assertNull(ex.getException());
            List<Delivery> deliveries = want.server.deliveries();
            assertEquals(1, deliveries.size());
            assertNull(deliveries.get(0).clientSubjectDn());
            assertNull(deliveries.get(0).clientCertSha256Hex());
            assertFalse(ex.getMessage().getHeaders().containsKey(SmtpsCertConstants.CLIENT_CERTIFICATE));
            assertEquals(deliveries.get(0).message().getMessageID(), ex.getMessage().getHeader(SmtpsCertConstants.MESSAGE_ID));
        }
    }

    @Test
    void anonymousAgainstServerThatRequiresACertificate() throws Exception {
        try (CamelContext ctx = MtlsFixture.context()) {
            int before = f.server.deliveries().size();
            Exchange ex = MtlsFixture.send(ctx, f.uri(""), "anonymous body");

            assertNotNull(ex.getException());
            String message = ex.getException().getMessage();
            assertTrue(message.contains("requires a TLS client certificate and none is configured"), message);
            assertTrue(message.contains("Fix: set one of keyStore"), message);
            assertEquals(before, f.server.deliveries().size());
        }
    }

    // ---- helpers ----

    private Map<String, Leaf> threeEntries() {
        Map<String, Leaf> entries = new LinkedHashMap<>();
        entries.put("zulu", f.pki.issueClient("zulu", KeyAlg.EC));
        entries.put("mike", f.pki.issueClient("mike", KeyAlg.RSA));
        entries.put("charlie", f.pki.issueClient("charlie", KeyAlg.EC));
        return entries;
    }

    private static KeyManager[] keyManagers(Leaf leaf) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(leaf.keyStore(PW.toCharArray()), PW.toCharArray());
        assertTrue(kmf.getKeyManagers()[0] instanceof X509KeyManager);
        return kmf.getKeyManagers();
    }

    private void assertPresentsWithBean(Leaf leaf, Object bean, String extraOptions) throws Exception {
        try (CamelContext ctx = MtlsFixture.context()) {
            ctx.getRegistry().bind("identity", bean);
            assertPresents(ctx, leaf, "clientCertificates=#identity" + extraOptions);
        }
    }

    private void assertPresents(Leaf leaf, String options) throws Exception {
        try (CamelContext ctx = MtlsFixture.context()) {
            assertPresents(ctx, leaf, options);
        }
    }

    /** Sends one mail and checks the server verified exactly {@code leaf} and the exchange says so. */
    private static void assertPresents(CamelContext ctx, Leaf leaf, String options) throws Exception {
        int before = f.server.deliveries().size();
        Exchange ex = MtlsFixture.send(ctx, f.uri(options), "identity test");

        assertNull(ex.getException(), () -> "send failed: " + ex.getException());
        List<Delivery> deliveries = f.server.deliveries();
        assertEquals(before + 1, deliveries.size());
        Delivery delivery = deliveries.get(before);
        assertEquals(leaf.sha256Hex(), delivery.clientCertSha256Hex(), "certificate the server verified");
        assertEquals(leaf.subjectDn(), ex.getMessage().getHeader(SmtpsCertConstants.CLIENT_CERTIFICATE));
        assertNotNull(delivery.message().getMessageID());
        assertEquals(delivery.message().getMessageID(), ex.getMessage().getHeader(SmtpsCertConstants.MESSAGE_ID));
    }
}
