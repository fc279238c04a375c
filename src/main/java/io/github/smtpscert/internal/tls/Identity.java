package io.github.smtpscert.internal.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What a connection presents: a client certificate chain (leaf first) and its private key, or {@link #ANONYMOUS}.
 * Immutable. {@link #key()} (the leaf's SHA-256 fingerprint, or "anonymous") is the key under which TLS sessions and
 * pooled connections are kept, so two identities never share either.
 */
public final class Identity {

    /** No client certificate. */
    public static final Identity ANONYMOUS = new Identity(null, new X509Certificate[0], "anonymous");

    private final X509Certificate[] chain;
    private final PrivateKey privateKey;
    private final String key;

    private Identity(PrivateKey privateKey, X509Certificate[] chain, String key) {
        this.privateKey = privateKey;
        this.chain = chain;
        this.key = key;
    }

    /**
     * @throws IllegalArgumentException when the chain is empty or the key does not belong to the first certificate
     */
    public static Identity of(PrivateKey privateKey, X509Certificate... chain) {
        Objects.requireNonNull(privateKey, "privateKey");
        if (chain == null || chain.length == 0 || chain[0] == null) {
            throw new IllegalArgumentException("a client identity needs at least one certificate");
        }
        if (!keyMatches(privateKey, chain[0])) {
            throw new IllegalArgumentException("the private key does not belong to the certificate "
                                               + chain[0].getSubjectX500Principal().getName());
        }
        X509Certificate[] copy = chain.clone();
        return new Identity(privateKey, copy, sha256(copy[0]));
    }

    public boolean isAnonymous() {
        return this == ANONYMOUS;
    }

    /** The leaf certificate; null when anonymous. */
    public X509Certificate certificate() {
        return isAnonymous() ? null : chain[0];
    }

    public X509Certificate[] chain() {
        return chain.clone();
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /** Lower-case hex SHA-256 of the leaf certificate's DER encoding, or "anonymous": the partition key. */
    public String key() {
        return key;
    }

    /** The leaf's subject DN, or "anonymous". */
    public String name() {
        return isAnonymous() ? key : chain[0].getSubjectX500Principal().getName();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Identity other && other.key.equals(key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        return isAnonymous() ? "no client certificate (anonymous)"
                : "ClientIdentity[" + name() + ", sha256=" + key.substring(0, 16) + "…]";
    }

    static String sha256(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot encode certificate " + certificate.getSubjectX500Principal(), e);
        }
    }

    /** Signs a probe with the key and verifies it with the certificate: works for any key, even a non-exportable one. */
    private static boolean keyMatches(PrivateKey key, X509Certificate certificate) {
        String algorithm = signatureAlgorithm(key.getAlgorithm());
        if (algorithm == null) {
            return key.getAlgorithm().equalsIgnoreCase(certificate.getPublicKey().getAlgorithm());
        }
        try {
            byte[] probe = "smtps-cert key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String signatureAlgorithm(String keyAlgorithm) {
        return switch (keyAlgorithm.toUpperCase(java.util.Locale.ROOT)) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "ED25519", "ED448", "EDDSA" -> keyAlgorithm;
            case "DSA" -> "SHA256withDSA";
            default -> null;
        };
    }
}
