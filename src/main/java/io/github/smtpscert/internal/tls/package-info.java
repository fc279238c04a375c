/**
 * Internal, not API: client key material (key stores, PEM files, registry beans), the identities an endpoint can
 * present, and one family of SSLContexts per identity so that TLS sessions are never shared across identities.
 */
package io.github.smtpscert.internal.tls;
