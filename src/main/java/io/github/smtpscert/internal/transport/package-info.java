/**
 * Internal, not API: everything Angus Mail. The SMTP connection, the TLS socket factory, the session properties,
 * the sender with its pooled and single-use strategies, and the mapping of failures to transient or permanent ones.
 */
package io.github.smtpscert.internal.transport;
