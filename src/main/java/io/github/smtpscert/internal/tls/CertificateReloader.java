package io.github.smtpscert.internal.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.smtpscert.internal.ConfigurationProblem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds an endpoint's current {@link TlsMaterial} and replaces it when its sources change. Files are compared by the
 * SHA-256 of their content, read through the configured path, so an in-place rewrite and a Kubernetes Secret's
 * {@code ..data} symlink swap look the same. Registry beans are rebuilt at every check (that re-reads the files
 * behind an SSLContextParameters bean) and swapped only when the identity's fingerprint changed. New material is
 * validated completely before it replaces the current one; material that fails stays out, with one WARN per
 * distinct state of the files.
 */
public final class CertificateReloader {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

    /** What the reloading did so far. */
    public record Status(long reloads, Instant lastReload, String lastError) {
    }

    private final String address;
    private final Supplier<IdentityResolver> resolvers;
    private final Function<IdentityResolver.Trust, SslContexts> contextsFor;
    private final List<String> files;
    private final boolean rebuildEachTime;
    private final Supplier<Instant> clock;
    private final Consumer<TlsMaterial> onSwap;

    private volatile TlsMaterial current;
    private volatile Status status = new Status(0, null, null);
    private Map<String, String> digests;
    private Map<String, String> failedDigests;

    /**
     * Resolves the first material.
     *
     * @param resolvers       a resolver for the options as they are now (registry beans looked up again)
     * @param files           the file locations to watch (see {@link IdentityResolver#files})
     * @param rebuildEachTime whether registry beans are involved, so there is something to rebuild without a file
     *                        change
     * @param onSwap          called with the new material after a swap
     * @throws ConfigurationProblem when the material is unusable
     */
    public CertificateReloader(String address, Supplier<IdentityResolver> resolvers,
                               Function<IdentityResolver.Trust, SslContexts> contextsFor, List<String> files,
                               boolean rebuildEachTime, Supplier<Instant> clock, Consumer<TlsMaterial> onSwap) {
        this.address = address;
        this.resolvers = resolvers;
        this.contextsFor = contextsFor;
        this.files = List.copyOf(files);
        this.rebuildEachTime = rebuildEachTime;
        this.clock = clock;
        this.onSwap = onSwap;
        this.digests = digests();
        this.current = load(1);
    }

    public TlsMaterial current() {
        return current;
    }

    public Status status() {
        return status;
    }

    /** Whether {@link #check} has anything to look at: files on disk or registry beans. */
    public boolean watchesAnything() {
        return rebuildEachTime || files.stream().anyMatch(f -> path(f) != null);
    }

    /**
     * Swaps in the material as it is now when it changed and is valid.
     *
     * @param force load and compare even when no file changed (a manual reload)
     * @return what happened, in one line
     */
    public synchronized String check(boolean force) {
        Map<String, String> now = digests();
        boolean filesChanged = !now.equals(digests);
        if (!force && !rebuildEachTime && (!filesChanged || now.equals(failedDigests))) {
            if (!filesChanged && failedDigests != null) { // the files are back as they were: nothing is wrong now
                failedDigests = null;
                status = new Status(status.reloads(), status.lastReload(), null);
            }
            return filesChanged ? "unchanged since the last failure: " + status.lastError() : "unchanged";
        }
        TlsMaterial next;
        try {
            next = load(current.generation() + 1);
        } catch (ConfigurationProblem e) {
            status = new Status(status.reloads(), status.lastReload(), e.getMessage());
            if (force || !now.equals(failedDigests)) {
                LOG.warn("smtps-cert:{}: the changed client certificate material is not used, still presenting {}: "
                         + "{}. Checking again at the next interval", address, current.identities().defaultIdentity(),
                        e.getMessage());
            }
            failedDigests = now;
            return "not reloaded: " + e.getMessage();
        }
        if (!now.equals(digests())) {
            return "not reloaded: the files changed while they were read; checking again at the next interval";
        }
        failedDigests = null;
        boolean identityChanged = !next.identities().key().equals(current.identities().key());
        boolean trustChanged = !next.trustKey().equals(current.trustKey());
        digests = now;
        if (!identityChanged && !trustChanged && !filesChanged) {
            status = new Status(status.reloads(), status.lastReload(), null);
            return "unchanged: still presenting " + current.identities().defaultIdentity();
        }
        TlsMaterial previous = current;
        current = next;
        status = new Status(status.reloads() + 1, clock.get(), null);
        LOG.info("smtps-cert:{}: reloaded the client certificate material; now presenting {} (was {})", address,
                next.identities().defaultIdentity(), previous.identities().defaultIdentity());
        next.identities().warnLeftOut(address);
        onSwap.accept(next);
        return "reloaded: now presenting " + next.identities().defaultIdentity();
    }

    private TlsMaterial load(long generation) {
        IdentityResolver resolver = resolvers.get();
        Identities identities = resolver.identities();
        IdentityResolver.Trust trust = resolver.trust();
        return new TlsMaterial(generation, identities, contextsFor.apply(trust), trust.key());
    }

    /** SHA-256 of each watched file's content as read now through its path, or why it cannot be read. */
    private Map<String, String> digests() {
        Map<String, String> result = new LinkedHashMap<>();
        for (String file : files) {
            Path path = path(file);
            if (path == null) {
                continue; // classpath: and the like do not change while the application runs
            }
            try {
                result.put(file, Identity.sha256(Files.readAllBytes(path)));
            } catch (NoSuchFileException e) {
                result.put(file, "missing");
            } catch (IOException e) {
                result.put(file, "unreadable: " + e.getClass().getSimpleName());
            }
        }
        return result;
    }

    /** The file system path of a location (plain or file:), or null for any other scheme. */
    private static Path path(String location) {
        if (location.startsWith("file:")) {
            return Path.of(location.substring("file:".length()));
        }
        return KeyStores.hasScheme(location) ? null : Path.of(location);
    }
}
