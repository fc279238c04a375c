package io.github.smtpscert.testsupport;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Locale;

import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.OutputEncryptor;

/**
 * A certificate issued by {@link TestPki} with its private key.
 * All {@code write*} methods take the full file name and return the written path.
 *
 * @param cn    the common name it was issued for
 * @param alg   the key type
 * @param key   the private key
 * @param chain leaf first, then the intermediate; never the root (a peer must already trust it)
 */
public record Leaf(String cn, KeyAlg alg, PrivateKey key, X509Certificate[] chain) {

    /** A copy, so callers cannot change the leaf. */
    @Override
    public X509Certificate[] chain() {
        return chain.clone();
    }

    public X509Certificate certificate() {
        return chain[0];
    }

    /** Subject DN in RFC 2253 form, as {@code X500Principal#getName()} gives it. */
    public String subjectDn() {
        return certificate().getSubjectX500Principal().getName();
    }

    /** Lower-case hex SHA-256 fingerprint of the leaf certificate. */
    public String sha256Hex() {
        return TestPki.sha256Hex(certificate());
    }

    /** Alias used for the single entry written by {@link #writePkcs12} and {@link #writeJks}. */
    public String alias() {
        return cn.toLowerCase(Locale.ROOT);
    }

    /** An in-memory PKCS12 key store with this leaf under {@link #alias()}, key protected by {@code password}. */
    public KeyStore keyStore(char[] password) {
        KeyStore keyStore = TestPki.emptyKeyStore("PKCS12");
        setEntry(keyStore, password);
        return keyStore;
    }

    /** PKCS12 file; the key password may differ from the store password. */
    public Path writePkcs12(Path dir, String name, char[] storePassword, char[] keyPassword) {
        return writeKeyStore(dir.resolve(name), "PKCS12", storePassword, keyPassword);
    }

    /** JKS file; the key password may differ from the store password. */
    public Path writeJks(Path dir, String name, char[] storePassword, char[] keyPassword) {
        return writeKeyStore(dir.resolve(name), "JKS", storePassword, keyPassword);
    }

    /** PEM with the leaf certificate first, then the intermediate. */
    public Path writeCertChainPem(Path dir, String name) {
        Path file = dir.resolve(name);
        TestPki.writePem(file, (Object[]) chain);
        return file;
    }

    /** Unencrypted PKCS#8: {@code -----BEGIN PRIVATE KEY-----}. */
    public Path writeKeyPkcs8(Path dir, String name) {
        return writeKey(dir, name, () -> new JcaPKCS8Generator(key, null));
    }

    /** Encrypted PKCS#8 (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC): {@code -----BEGIN ENCRYPTED PRIVATE KEY-----}. */
    public Path writeKeyPkcs8Encrypted(Path dir, String name, char[] password) {
        return writeKey(dir, name, () -> {
            OutputEncryptor encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                    .setPRF(PKCS8Generator.PRF_HMACSHA256)
                    .setProvider(TestPki.BC)
                    .setPassword(password)
                    .build();
            return new JcaPKCS8Generator(key, encryptor);
        });
    }

    /** OpenSSL traditional form: PKCS#1 {@code RSA PRIVATE KEY} or SEC1 {@code EC PRIVATE KEY}. */
    public Path writeKeyTraditional(Path dir, String name) {
        return writeKey(dir, name, () -> new JcaMiscPEMGenerator(key));
    }

    /** Traditional form with legacy OpenSSL encryption headers ({@code Proc-Type: 4,ENCRYPTED}, AES-256-CBC). */
    public Path writeKeyTraditionalEncrypted(Path dir, String name, char[] password) {
        return writeKey(dir, name, () -> new JcaMiscPEMGenerator(key,
                new JcePEMEncryptorBuilder("AES-256-CBC").setProvider(TestPki.BC).build(password)));
    }

    private interface PemSource {
        Object create() throws Exception;
    }

    private Path writeKey(Path dir, String name, PemSource source) {
        Object pemObject;
        try {
            pemObject = source.create();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot encode private key of " + cn, e);
        }
        Path file = dir.resolve(name);
        TestPki.writePem(file, pemObject);
        return file;
    }

    private Path writeKeyStore(Path file, String type, char[] storePassword, char[] keyPassword) {
        KeyStore keyStore = TestPki.emptyKeyStore(type);
        setEntry(keyStore, keyPassword);
        TestPki.store(keyStore, file, storePassword);
        return file;
    }

    private void setEntry(KeyStore keyStore, char[] keyPassword) {
        try {
            keyStore.setKeyEntry(alias(), key, keyPassword, chain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot add key entry for " + cn, e);
        }
    }

    @Override
    public String toString() {
        return "Leaf[" + subjectDn() + ", " + alg + "]";
    }
}
