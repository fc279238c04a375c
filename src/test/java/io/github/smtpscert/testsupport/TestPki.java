package io.github.smtpscert.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * A throw-away PKI for tests: root CA -> intermediate CA -> leaves, all made in memory at test time.
 * <p>
 * Every instance has its own, freshly generated CA keys and unique CA names, so a second
 * {@code TestPki.create()} is a CA that the first one's trust store does not trust.
 * Leaf keys are never shared either, so tests about a key not matching its certificate stay meaningful.
 * Use {@link #shared()} when a test does not care which PKI it gets (saves two RSA key generations).
 */
public final class TestPki {

    /** Bouncy Castle is handed to builders as an instance; never registered globally. */
    static final Provider BC = new BouncyCastleProvider();

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final String ORG = "camel-smtps-cert tests";
    private static final Duration CA_LIFETIME = Duration.ofDays(3650);
    private static final Duration LEAF_LIFETIME = Duration.ofDays(365);
    // Back-dated so that small clock differences never make a fresh cert "not yet valid".
    private static final Duration BACKDATE = Duration.ofHours(1);

    private static volatile TestPki shared;

    private final X509Certificate root;
    private final X509Certificate intermediate;
    private final PrivateKey intermediateKey;

    private TestPki(X509Certificate root, X509Certificate intermediate, PrivateKey intermediateKey) {
        this.root = root;
        this.intermediate = intermediate;
        this.intermediateKey = intermediateKey;
    }

    /** Creates a new root + intermediate CA with fresh keys. */
    public static TestPki create() {
        int id = INSTANCES.incrementAndGet();
        KeyPair rootKeys = generateKeyPair(KeyAlg.RSA);
        KeyPair intermediateKeys = generateKeyPair(KeyAlg.RSA);
        Instant now = Instant.now();
        X500Name rootName = name("Test Root CA " + id);
        X500Name intermediateName = name("Test Intermediate CA " + id);

        X509Certificate root = sign(
                new JcaX509v3CertificateBuilder(rootName, serial(), Date.from(now.minus(BACKDATE)),
                        Date.from(now.plus(CA_LIFETIME)), rootName, rootKeys.getPublic()),
                caExtensions(rootKeys.getPublic(), rootKeys.getPublic(), 1),
                rootKeys.getPrivate());
        X509Certificate intermediate = sign(
                new JcaX509v3CertificateBuilder(rootName, serial(), Date.from(now.minus(BACKDATE)),
                        Date.from(now.plus(CA_LIFETIME)), intermediateName, intermediateKeys.getPublic()),
                caExtensions(intermediateKeys.getPublic(), rootKeys.getPublic(), 0),
                rootKeys.getPrivate());
        return new TestPki(root, intermediate, intermediateKeys.getPrivate());
    }

    /** One PKI per JVM, for tests that only need "some trusted CA". */
    public static TestPki shared() {
        TestPki result = shared;
        if (result == null) {
            synchronized (TestPki.class) {
                result = shared;
                if (result == null) {
                    result = create();
                    shared = result;
                }
            }
        }
        return result;
    }

    /** A client certificate (clientAuth EKU) valid from an hour ago for a year. */
    public Leaf issueClient(String cn, KeyAlg alg) {
        Instant now = Instant.now();
        return issueClient(cn, alg, now.minus(BACKDATE), now.plus(LEAF_LIFETIME));
    }

    /** A client certificate with an explicit validity window, e.g. to make expired or not-yet-valid certs. */
    public Leaf issueClient(String cn, KeyAlg alg, Instant notBefore, Instant notAfter) {
        return issue(cn, alg, notBefore, notAfter, KeyPurposeId.id_kp_clientAuth, null);
    }

    /** An RSA server certificate (serverAuth EKU) for DNS:localhost and IP:127.0.0.1. */
    public Leaf issueServer(String cn) {
        Instant now = Instant.now();
        return issueServer(cn, now.minus(BACKDATE), now.plus(LEAF_LIFETIME));
    }

    /**
     * A server certificate like {@link #issueServer(String)} with an explicit validity window, e.g. to make an expired
     * or not-yet-valid one. X.509 keeps whole seconds: the certificate's dates are these instants without the fraction.
     */
    public Leaf issueServer(String cn, Instant notBefore, Instant notAfter) {
        GeneralNames sans = new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1")
        });
        return issue(cn, KeyAlg.RSA, notBefore, notAfter, KeyPurposeId.id_kp_serverAuth, sans);
    }

    public X509Certificate root() {
        return root;
    }

    public X509Certificate intermediate() {
        return intermediate;
    }

    /** Writes the root certificate as PEM to {@code dir/name} ({@code name} is the full file name). */
    public Path writeTrustPem(Path dir, String name) {
        Path file = dir.resolve(name);
        writePem(file, root);
        return file;
    }

    /** An in-memory PKCS12 trust store holding only the root (alias {@code "root"}). */
    public KeyStore trustStore() {
        return trustStore("PKCS12");
    }

    /** Writes a trust store holding only the root (alias {@code "root"}); {@code type} is e.g. PKCS12 or JKS. */
    public Path writeTrustStore(Path dir, String name, char[] password, String type) {
        Path file = dir.resolve(name);
        store(trustStore(type), file, password);
        return file;
    }

    /**
     * Writes one key store holding several leaves, in map iteration order (use a LinkedHashMap for a fixed order).
     * Every key entry is protected with the store password.
     */
    public static Path writeKeyStore(Path file, String type, char[] password, Map<String, Leaf> entriesByAlias) {
        KeyStore keyStore = emptyKeyStore(type);
        try {
            for (Map.Entry<String, Leaf> entry : entriesByAlias.entrySet()) {
                keyStore.setKeyEntry(entry.getKey(), entry.getValue().key(), password, entry.getValue().chain());
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot add key entry", e);
        }
        store(keyStore, file, password);
        return file;
    }

    /** Lower-case hex SHA-256 over the DER encoding, without separators. */
    public static String sha256Hex(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- internals shared with Leaf ----

    static KeyStore emptyKeyStore(String type) {
        try {
            KeyStore keyStore = KeyStore.getInstance(type);
            keyStore.load(null, null);
            return keyStore;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot create key store of type " + type, e);
        }
    }

    static void store(KeyStore keyStore, Path file, char[] password) {
        try (OutputStream out = Files.newOutputStream(file)) {
            keyStore.store(out, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot write key store " + file, e);
        }
    }

    /** Writes each object with Bouncy Castle's PEM writer (certificates, keys, PEM generators). */
    static void writePem(Path file, Object... objects) {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                if (object instanceof PemObjectGenerator generator) {
                    pem.writeObject(generator);
                } else {
                    pem.writeObject(object);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private KeyStore trustStore(String type) {
        KeyStore keyStore = emptyKeyStore(type);
        try {
            keyStore.setCertificateEntry("root", root);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return keyStore;
    }

    private Leaf issue(String cn, KeyAlg alg, Instant notBefore, Instant notAfter,
                       KeyPurposeId purpose, GeneralNames sans) {
        KeyPair keys = generateKeyPair(alg);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(intermediate, serial(),
                Date.from(notBefore), Date.from(notAfter), name(cn), keys.getPublic());
        // RSA keys may also be used for RSA key transport in TLS 1.2; EC keys only sign.
        int usage = alg == KeyAlg.RSA ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment : KeyUsage.digitalSignature;
        X509Certificate certificate = sign(builder, b -> {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(usage))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(intermediate.getPublicKey()));
            if (sans != null) {
                b.addExtension(Extension.subjectAlternativeName, false, sans);
            }
        }, intermediateKey);
        return new Leaf(cn, alg, keys.getPrivate(), new X509Certificate[] {certificate, intermediate});
    }

    private interface Extensions {
        void addTo(X509v3CertificateBuilder builder) throws IOException, GeneralSecurityException;
    }

    private static Extensions caExtensions(PublicKey subjectKey, PublicKey issuerKey, int pathLength) {
        return builder -> {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey))
                    .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerKey));
        };
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, Extensions extensions, PrivateKey issuerKey) {
        try {
            extensions.addTo(builder);
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").setProvider(BC).build(issuerKey);
            // Converted with the JDK's own CertificateFactory so certificates behave like ones read from files.
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot sign certificate", e);
        }
    }

    static KeyPair generateKeyPair(KeyAlg alg) {
        try {
            if (alg == KeyAlg.RSA) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048, RANDOM);
                return generator.generateKeyPair();
            }
            // Bouncy Castle's EC keys encode the curve and public point inside the private key,
            // which the SEC1 ("EC PRIVATE KEY") form needs; the JDK's encoding omits both.
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BC);
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot generate " + alg + " key pair", e);
        }
    }

    private static X500Name name(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, ORG).addRDN(BCStyle.CN, cn).build();
    }

    private static BigInteger serial() {
        return new BigInteger(63, RANDOM).add(BigInteger.ONE);
    }
}
