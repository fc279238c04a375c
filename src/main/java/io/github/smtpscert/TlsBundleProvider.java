package io.github.smtpscert;

import java.security.KeyStore;

/**
 * Hands smtps-cert the TLS material a platform manages by name: a Spring Boot SSL bundle (option {@code sslBundle},
 * served by camel-smtps-cert-starter) or a Quarkus TLS configuration (option {@code tlsConfigurationName}, served by
 * camel-smtps-cert-quarkus). The component finds a provider in the Camel registry by type; applications do not
 * implement this themselves.
 */
public interface TlsBundleProvider {

    /**
     * The material of one bundle as it is now.
     *
     * @param keyStore    the client identity: a key store with at least one private key entry, or null for none
     * @param keyPassword the password of its key entries (may be empty, not null when keyStore is set)
     * @param keyAlias    the entry to present, or null to choose among all entries as the keyStore option does
     * @param trustStore  the CAs to trust for the server, or null for the other trust options (or the JVM's)
     */
    record TlsBundle(KeyStore keyStore, char[] keyPassword, String keyAlias, KeyStore trustStore) {
    }

    /** @return the endpoint option this provider serves: {@code sslBundle} or {@code tlsConfigurationName} */
    String option();

    /**
     * @param name the bundle's name, as given in the option
     * @return the named bundle's material as it is now
     * @throws IllegalArgumentException when there is no such bundle; the message names the ones there are
     */
    TlsBundle bundle(String name);

    /**
     * Calls the listener after the named bundle's material changed (a reload by the platform), until the returned
     * handle is closed.
     *
     * @param name     the bundle's name
     * @param listener called on a platform thread; it must return quickly
     * @return closing it stops the calls
     */
    AutoCloseable onUpdate(String name, Runnable listener);
}
