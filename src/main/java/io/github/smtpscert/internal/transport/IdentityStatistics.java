package io.github.smtpscert.internal.transport;

/** Figures for one client identity (its subject DN, or "anonymous"). */
public record IdentityStatistics(String identity, long messagesSent, long fullHandshakes, long resumedHandshakes,
                                 int openConnections, int idleConnections) {
}
