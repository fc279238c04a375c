/**
 * Internals of the smtps-cert component. Not API: anything here may change or disappear in any release. Nothing here
 * depends on the API package {@code io.github.smtpscert}; the API package translates what these classes report.
 */
package io.github.smtpscert.internal;
