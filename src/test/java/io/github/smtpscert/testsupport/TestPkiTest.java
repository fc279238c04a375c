package io.github.smtpscert.testsupport;

import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks that {@link TestPki} output is what tests of the component will rely on. */
class TestPkiTest {

    private static final char[] STORE_PASSWORD = "store-pw".toCharArray();
    private static final char[] KEY_PASSWORD = "key-pw".toCharArray();

    private static TestPki pki;

    @TempDir
    Path dir;

    @BeforeAll
    static void createPki() {
        pki = TestPki.create();
    }

    @ParameterizedTest
    @EnumSource(KeyAlg.class)
    void clientChainValidatesToTheRootOnly(KeyAlg alg) throws Exception {
        Leaf leaf = pki.issueClient("validates", alg);

        assertEquals(2, leaf.chain().length);
        assertEquals(pki.intermediate(), leaf.chain()[1]);
        assertEquals("CN=validates,O=camel-smtps-cert tests", leaf.subjectDn());
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), leaf.certificate().getExtendedKeyUsage());
        validate(leaf, pki.root());

        X509Certificate otherRoot = TestPki.create().root();
        assertThrows(CertPathValidatorException.class, () -> validate(leaf, otherRoot));
    }

    @Test
    void serverCertificateNamesLocalhostAndLoopback() throws Exception {
        X509Certificate server = pki.issueServer("localhost").certificate();

        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), server.getExtendedKeyUsage());
        List<Object> names = new ArrayList<>();
        server.getSubjectAlternativeNames().forEach(name -> names.add(name.get(1)));
        assertEquals(List.of("localhost", "127.0.0.1"), names);
    }

    @Test
    void serverCertificateWithDatesHasThemAndStillNamesLocalhost() throws Exception {
        Instant notBefore = Instant.parse("2020-01-02T03:04:05.678Z");
        Instant notAfter = Instant.parse("2021-01-02T03:04:05Z");
        X509Certificate expired = pki.issueServer("localhost", notBefore, notAfter).certificate();

        assertEquals(notBefore.truncatedTo(ChronoUnit.SECONDS), expired.getNotBefore().toInstant());
        assertEquals(notAfter, expired.getNotAfter().toInstant());
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), expired.getExtendedKeyUsage());
        assertEquals(2, expired.getSubjectAlternativeNames().size());
    }

    @ParameterizedTest
    @EnumSource(KeyAlg.class)
    void everyKeyFormatParsesBackToTheSameKey(KeyAlg alg) throws Exception {
        Leaf leaf = pki.issueClient("formats-" + alg, alg);
        char[] pw = "pem-pw".toCharArray();
        // JDK key factories on purpose: a BC-made EC key reports "ECDSA" and SunJSSE/SunEC refuse it.
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        String traditionalLabel = alg == KeyAlg.RSA ? "RSA PRIVATE KEY" : "EC PRIVATE KEY";

        Path pkcs8 = leaf.writeKeyPkcs8(dir, "pkcs8.pem");
        assertTrue(Files.readString(pkcs8).startsWith("-----BEGIN PRIVATE KEY-----"));
        PrivateKeyInfo info = assertInstanceOf(PrivateKeyInfo.class, parse(pkcs8));
        assertMatches(leaf, converter.getPrivateKey(info));

        Path pkcs8Encrypted = leaf.writeKeyPkcs8Encrypted(dir, "pkcs8-enc.pem", pw);
        assertTrue(Files.readString(pkcs8Encrypted).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        PKCS8EncryptedPrivateKeyInfo encrypted = assertInstanceOf(PKCS8EncryptedPrivateKeyInfo.class, parse(pkcs8Encrypted));
        assertEquals("1.2.840.113549.1.5.13", encrypted.getEncryptionAlgorithm().getAlgorithm().getId()); // PBES2
        assertMatches(leaf, converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(
                new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(TestPki.BC).build(pw))));

        Path traditional = leaf.writeKeyTraditional(dir, "traditional.pem");
        assertTrue(Files.readString(traditional).startsWith("-----BEGIN " + traditionalLabel + "-----"));
        PEMKeyPair pair = assertInstanceOf(PEMKeyPair.class, parse(traditional));
        assertMatches(leaf, converter.getKeyPair(pair).getPrivate());

        Path legacy = leaf.writeKeyTraditionalEncrypted(dir, "legacy.pem", pw);
        String legacyText = Files.readString(legacy);
        assertTrue(legacyText.startsWith("-----BEGIN " + traditionalLabel + "-----"));
        assertTrue(legacyText.contains("Proc-Type: 4,ENCRYPTED"));
        assertTrue(legacyText.contains("DEK-Info: AES-256-CBC,"));
        PEMEncryptedKeyPair encryptedPair = assertInstanceOf(PEMEncryptedKeyPair.class, parse(legacy));
        PEMKeyPair decrypted = encryptedPair.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(TestPki.BC).build(pw));
        assertMatches(leaf, converter.getKeyPair(decrypted).getPrivate());
    }

    @Test
    void certChainPemIsLeafThenIntermediate() throws Exception {
        Leaf leaf = pki.issueClient("chain", KeyAlg.EC);

        Path pem = leaf.writeCertChainPem(dir, "chain.pem");

        assertEquals(List.of(leaf.certificate(), pki.intermediate()), readCertificates(pem));
        assertEquals(List.of(pki.root()), readCertificates(pki.writeTrustPem(dir, "root.pem")));
    }

    @ParameterizedTest
    @EnumSource(KeyAlg.class)
    void keyStoresLoadWithSeparateStoreAndKeyPasswords(KeyAlg alg) throws Exception {
        Leaf leaf = pki.issueClient("Stored", alg);

        for (Path file : List.of(leaf.writePkcs12(dir, "leaf.p12", STORE_PASSWORD, KEY_PASSWORD),
                                 leaf.writeJks(dir, "leaf.jks", STORE_PASSWORD, KEY_PASSWORD))) {
            KeyStore keyStore = load(file, file.toString().endsWith(".jks") ? "JKS" : "PKCS12", STORE_PASSWORD);
            assertEquals(List.of("stored"), Collections.list(keyStore.aliases()));
            assertArrayEquals(leaf.chain(), keyStore.getCertificateChain("stored"));
            assertMatches(leaf, (PrivateKey) keyStore.getKey("stored", KEY_PASSWORD));
        }
    }

    @Test
    void multiEntryKeyStoreKeepsInsertionOrder() throws Exception {
        Map<String, Leaf> entries = new LinkedHashMap<>();
        entries.put("zulu", pki.issueClient("zulu", KeyAlg.EC));
        entries.put("alpha", pki.issueClient("alpha", KeyAlg.RSA));
        entries.put("mike", pki.issueClient("mike", KeyAlg.EC));

        Path file = TestPki.writeKeyStore(dir.resolve("multi.p12"), "PKCS12", STORE_PASSWORD, entries);

        KeyStore keyStore = load(file, "PKCS12", STORE_PASSWORD);
        assertEquals(List.of("zulu", "alpha", "mike"), Collections.list(keyStore.aliases()));
        for (Map.Entry<String, Leaf> entry : entries.entrySet()) {
            assertMatches(entry.getValue(), (PrivateKey) keyStore.getKey(entry.getKey(), STORE_PASSWORD));
        }
        assertNotEquals(entries.get("zulu").certificate().getPublicKey(), entries.get("mike").certificate().getPublicKey());
    }

    @Test
    void trustStoresHoldTheRoot() throws Exception {
        for (String type : List.of("PKCS12", "JKS")) {
            Path file = pki.writeTrustStore(dir, "trust." + type, STORE_PASSWORD, type);
            KeyStore keyStore = load(file, type, STORE_PASSWORD);
            assertEquals(pki.root(), keyStore.getCertificate("root"));
            assertEquals(1, keyStore.size());
        }
        assertEquals(pki.root(), pki.trustStore().getCertificate("root"));
    }

    private static Object parse(Path file) throws Exception {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            return parser.readObject();
        }
    }

    /** Proves the key belongs to the leaf: a signature made with it verifies with the certificate. */
    private static void assertMatches(Leaf leaf, PrivateKey key) throws Exception {
        String algorithm = leaf.alg() == KeyAlg.RSA ? "SHA256withRSA" : "SHA256withECDSA";
        byte[] data = "proof of possession".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(data);
        byte[] signature = signer.sign();
        PublicKey publicKey = leaf.certificate().getPublicKey();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(publicKey);
        verifier.update(data);
        assertTrue(verifier.verify(signature), "key does not match certificate of " + leaf.cn());
    }

    private static void validate(Leaf leaf, X509Certificate trustedRoot) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(trustedRoot, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(List.of(leaf.chain())), params);
    }

    private static List<Object> readCertificates(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
    }

    private static KeyStore load(Path file, String type, char[] password) throws Exception {
        KeyStore keyStore = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(file)) {
            keyStore.load(in, password);
        }
        return keyStore;
    }
}
