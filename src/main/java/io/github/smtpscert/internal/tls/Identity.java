package io.github.smtpscert.internal.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What a connection presents: a client certificate chain (leaf first) and its private key, an ordered set of such
 * certificates of which the handshake picks one ({@link #anyOf}), or {@link #ANONYMOUS}. Immutable. {@link #key()}
 * is the key under which TLS sessions and pooled connections are kept, so two identities never share either: the
 * leaf's SHA-256 fingerprint, a digest over every member's fingerprint for a set, or "anonymous".
 */
public final class Identity {

    /** No client certificate. */
    public static final Identity ANONYMOUS = new Identity(null, new X509Certificate[0], "anonymous", List.of());

    private final X509Certificate[] chain;
    private final PrivateKey privateKey;
    private final String key;
    private final List<Identity> members; // null: a single certificate, its own only member

    private Identity(PrivateKey privateKey, X509Certificate[] chain, String key, List<Identity> members) {
        this.privateKey = privateKey;
        this.chain = chain;
        this.key = key;
        this.members = members;
    }

    /**
     * @throws IllegalArgumentException when the chain is empty, out of order, or the key does not belong to the first
     *                                  certificate
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
        String order = chainOrderProblem(chain);
        if (order != null) {
            throw new IllegalArgumentException(order);
        }
        X509Certificate[] copy = chain.clone();
        return new Identity(privateKey, copy, sha256(copy[0]), null);
    }

    /**
     * Several certificates, in the order they are tried against the server's list of acceptable CAs. The first one
     * stands for the set wherever one certificate is shown.
     */
    public static Identity anyOf(List<Identity> identities) {
        if (identities.isEmpty() || identities.stream().anyMatch(Identity::isAnonymous)) {
            throw new IllegalArgumentException("a set of client identities needs at least one, and no anonymous one");
        }
        List<Identity> flat = identities.stream().flatMap(i -> i.members().stream()).distinct().toList();
        if (flat.size() == 1) {
            return flat.get(0);
        }
        Identity first = flat.get(0);
        String joined = flat.stream().map(Identity::key).collect(Collectors.joining(","));
        return new Identity(first.privateKey, first.chain, "set-" + sha256(joined.getBytes(java.nio.charset.StandardCharsets.US_ASCII)), flat);
    }

    /**
     * Null when each certificate was issued by the next one (by name), else what is wrong. A chain out of order is
     * sent out of order, and servers refuse it.
     */
    public static String chainOrderProblem(X509Certificate[] chain) {
        for (int i = 0; i + 1 < chain.length; i++) {
            if (!chain[i].getIssuerX500Principal().equals(chain[i + 1].getSubjectX500Principal())) {
                return "the certificate chain is not in order: certificate " + (i + 2) + " ("
                       + chain[i + 1].getSubjectX500Principal().getName() + ") did not issue certificate " + (i + 1)
                       + " (" + chain[i].getSubjectX500Principal().getName() + ", issued by "
                       + chain[i].getIssuerX500Principal().getName() + ")";
            }
        }
        return null;
    }

    /** The certificates to choose from, in order: just this one unless it is a set; none when anonymous. */
    public List<Identity> members() {
        return members != null ? members : List.of(this);
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

    /** Lower-case hex SHA-256 of the leaf's DER encoding ("set-" and a digest for a set), or "anonymous". */
    public String key() {
        return key;
    }

    /** The leaf's subject DN (the first's, and how many more, for a set), or "anonymous". */
    public String name() {
        if (isAnonymous()) {
            return key;
        }
        String first = chain[0].getSubjectX500Principal().getName();
        return members == null ? first : first + " (and " + (members.size() - 1) + " more)";
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
            return sha256(certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot encode certificate " + certificate.getSubjectX500Principal(), e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
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
