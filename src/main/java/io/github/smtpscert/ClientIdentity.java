package io.github.smtpscert;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

import io.github.smtpscert.internal.tls.Identity;

/**
 * A client certificate chain (leaf first) and its private key, to bind in the registry and reference with
 * {@code clientCertificates=#name}. Immutable. Two identities are equal when their leaf certificates are; TLS sessions
 * and pooled connections are kept per identity, so two identities never share either.
 */
public final class ClientIdentity {

    private final Identity identity;

    private ClientIdentity(Identity identity) {
        this.identity = identity;
    }

    /**
     * Creates an identity from a key and its certificate chain.
     *
     * @param privateKey the private key of the first certificate
     * @param chain      the client certificate first, then its intermediates
     * @return the identity
     * @throws IllegalArgumentException when the chain is empty or the key does not belong to the first certificate
     */
    public static ClientIdentity of(PrivateKey privateKey, X509Certificate... chain) {
        return new ClientIdentity(Identity.of(privateKey, chain));
    }

    /** @return the client certificate (the first of the chain) */
    public X509Certificate certificate() {
        return identity.certificate();
    }

    /** @return a copy of the chain, client certificate first */
    public X509Certificate[] chain() {
        return identity.chain();
    }

    /** @return the private key of the client certificate */
    public PrivateKey privateKey() {
        return identity.privateKey();
    }

    /** @return lower-case hex SHA-256 of the client certificate's DER encoding */
    public String fingerprint() {
        return identity.key();
    }

    /** @return the subject DN of the client certificate */
    public String subjectDn() {
        return identity.name();
    }

    Identity identity() {
        return identity;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientIdentity other && other.identity.equals(identity);
    }

    @Override
    public int hashCode() {
        return identity.hashCode();
    }

    @Override
    public String toString() {
        return identity.toString();
    }
}
