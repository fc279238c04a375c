package io.github.smtpscert.internal.tls;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * How close the certificate chain an identity presents is to its end, at one instant. The chain's validity is the
 * intersection of its elements': it ends at the earliest notAfter and starts at the latest notBefore, since a server
 * refuses the chain when any element is out of its dates. Immutable; computed, never cached, so it is always current.
 *
 * @param anonymous       true when the identity presents no certificate (every other field is then null, 0 or false)
 * @param subject         the leaf's subject DN
 * @param expiringSubject the subject DN of the chain element that expires first (often the leaf)
 * @param notBefore       the latest notBefore of the chain
 * @param notAfter        the earliest notAfter of the chain
 * @param daysUntilExpiry whole days from the instant to {@code notAfter}, rounded down (negative once expired)
 * @param expiringSoon    true when {@code notAfter} is within the warning window (and not yet past)
 * @param expired         true when {@code notAfter} is past
 * @param notYetValid     true when {@code notBefore} is still ahead
 */
public record CertificateExpiry(boolean anonymous, String subject, String expiringSubject, Instant notBefore,
                                Instant notAfter, long daysUntilExpiry, boolean expiringSoon, boolean expired,
                                boolean notYetValid) {

    private static final long SECONDS_PER_DAY = 86_400;

    /** The figures for an identity at {@code now}, with {@code warning} as the warning window. */
    public static CertificateExpiry of(Identity identity, Instant now, Duration warning) {
        if (identity.isAnonymous()) {
            return new CertificateExpiry(true, null, null, null, null, 0, false, false, false);
        }
        X509Certificate[] chain = identity.chain();
        X509Certificate first = chain[0];
        Instant notBefore = chain[0].getNotBefore().toInstant();
        for (X509Certificate certificate : chain) {
            if (certificate.getNotAfter().before(first.getNotAfter())) {
                first = certificate;
            }
            Instant start = certificate.getNotBefore().toInstant();
            if (start.isAfter(notBefore)) {
                notBefore = start;
            }
        }
        Instant notAfter = first.getNotAfter().toInstant();
        long days = Math.floorDiv(Duration.between(now, notAfter).getSeconds(), SECONDS_PER_DAY);
        boolean expired = now.isAfter(notAfter);
        boolean soon = !expired && !now.plus(warning).isBefore(notAfter);
        return new CertificateExpiry(false, identity.name(), first.getSubjectX500Principal().getName(), notBefore,
                notAfter, days, soon, expired, now.isBefore(notBefore));
    }

    /** @return true when the chain cannot be presented now: expired or not yet valid */
    public boolean outOfDates() {
        return expired || notYetValid;
    }
}
