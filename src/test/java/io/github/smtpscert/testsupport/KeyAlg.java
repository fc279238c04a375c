package io.github.smtpscert.testsupport;

/** Key type of a leaf certificate issued by {@link TestPki}. */
public enum KeyAlg {
    /** RSA 2048. */
    RSA,
    /** EC on curve P-256 (secp256r1). */
    EC
}
