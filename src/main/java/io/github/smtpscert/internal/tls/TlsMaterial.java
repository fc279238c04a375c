package io.github.smtpscert.internal.tls;

/**
 * What an endpoint sends with at one time: its identities and the TLS contexts (with their trust) for them. A reload
 * replaces it as a whole with the next generation; a send keeps the material it started with to its end.
 *
 * @param trustKey a digest of the CAs the trust accepts, to tell whether a reload changed the trust
 */
public record TlsMaterial(long generation, Identities identities, SslContexts contexts, String trustKey) {
}
