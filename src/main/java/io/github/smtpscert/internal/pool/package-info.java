/**
 * Internal, not API: a generic keyed connection pool driven by an injected clock. It knows nothing of SMTP, TLS,
 * option names or key formats, and depends on nothing else in this project.
 */
package io.github.smtpscert.internal.pool;
