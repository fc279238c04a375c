package io.github.smtpscert.internal.health;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.github.smtpscert.internal.tls.CertificateExpiry;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckRepository;

/**
 * The component's health check repository, id {@value #ID}: one {@link CertificateHealthCheck} per started endpoint,
 * with id {@code smtps-cert:host:port} ({@code #2}, {@code #3}, ... appended when endpoints share a server). Enabled
 * by default. One per CamelContext, registered in that context's {@link HealthCheckRegistry} on first use.
 */
public final class SmtpsCertHealthRepository implements HealthCheckRepository {

    /** The repository's id in the registry. */
    public static final String ID = "smtps-cert";

    private final Map<String, CertificateHealthCheck> checks = new LinkedHashMap<>();
    private volatile boolean enabled = true;

    /**
     * The repository of this context, registered now if it is not yet; empty when the context has no health check
     * registry (camel-health is not on the class path), so the component then reports no health.
     */
    public static Optional<SmtpsCertHealthRepository> on(CamelContext context) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            return Optional.empty();
        }
        synchronized (registry) {
            Optional<HealthCheckRepository> existing = registry.getRepository(ID);
            if (existing.isPresent()) {
                return existing.get() instanceof SmtpsCertHealthRepository ours ? Optional.of(ours) : Optional.empty();
            }
            SmtpsCertHealthRepository created = new SmtpsCertHealthRepository();
            registry.register(created);
            return Optional.of(created);
        }
    }

    /** Adds a check for the endpoint at {@code address}; {@code expiry} gives its current figures at each call. */
    public synchronized CertificateHealthCheck add(String address, Supplier<CertificateExpiry> expiry,
                                                   Supplier<String> reloadError) {
        String base = ID + ":" + address;
        String id = base;
        for (int n = 2; checks.containsKey(id); n++) {
            id = base + "#" + n;
        }
        CertificateHealthCheck check = new CertificateHealthCheck(id, address, expiry, reloadError);
        checks.put(id, check);
        return check;
    }

    /** Removes a check added by {@link #add}; nothing when it is not there. */
    public synchronized void remove(CertificateHealthCheck check) {
        checks.remove(check.getId(), check);
    }

    @Override
    public String getId() {
        return ID;
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
    public Stream<HealthCheck> stream() {
        if (!enabled) {
            return Stream.empty();
        }
        List<HealthCheck> snapshot;
        synchronized (this) {
            snapshot = new ArrayList<>(checks.values());
        }
        return snapshot.stream();
    }
}
