package io.github.smtpscert.internal.health;

import java.util.Map;
import java.util.function.Supplier;

import io.github.smtpscert.internal.tls.CertificateExpiry;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * One endpoint's client certificate as a Camel health check: DOWN when the chain it presents has expired or is not
 * yet valid, UP otherwise (anonymous included), with the expiry figures as details. A readiness check only: a
 * restart renews no certificate, so it must not make an orchestrator kill the process.
 */
public final class CertificateHealthCheck implements HealthCheck {

    /** The group of every check of this repository. */
    public static final String GROUP = "smtps-cert";

    private final String id;
    private final String address;
    private final Supplier<CertificateExpiry> expiry;
    private final Supplier<String> reloadError;
    private volatile boolean enabled = true;

    CertificateHealthCheck(String id, String address, Supplier<CertificateExpiry> expiry,
                           Supplier<String> reloadError) {
        this.id = id;
        this.address = address;
        this.expiry = expiry;
        this.reloadError = reloadError;
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public String getGroup() {
        return GROUP;
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public Result call(Map<String, Object> options) {
        HealthCheckResultBuilder builder = HealthCheckResultBuilder.on(this).detail("server", address);
        String error = reloadError.get();
        if (error != null) { // the current material is still presented: worth a look, not DOWN
            builder.detail("reloadError", error);
        }
        CertificateExpiry e = expiry.get();
        if (e.anonymous()) {
            return builder.detail("clientCertificate", "none (anonymous)")
                    .message("smtps-cert:" + address + " presents no client certificate").up().build();
        }
        builder.detail("subject", e.subject())
                .detail("notBefore", e.notBefore().toString())
                .detail("notAfter", e.notAfter().toString())
                .detail("daysUntilExpiry", e.daysUntilExpiry())
                .detail("expiringSoon", e.expiringSoon());
        if (!e.expiringSubject().equals(e.subject())) {
            builder.detail("expiresFirst", e.expiringSubject());
        }
        if (e.expired()) {
            return builder.message("the client certificate chain of smtps-cert:" + address + " expired at "
                                   + e.notAfter() + " (" + e.expiringSubject() + ")").down().build();
        }
        if (e.notYetValid()) {
            return builder.message("the client certificate chain of smtps-cert:" + address + " is not valid before "
                                   + e.notBefore()).down().build();
        }
        return builder.message("the client certificate " + e.subject() + " of smtps-cert:" + address + " expires in "
                               + e.daysUntilExpiry() + " days, at " + e.notAfter()).up().build();
    }

    @Override
    public String toString() {
        return id;
    }
}
