package io.github.smtpscert.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@code openssl s_server} on 127.0.0.1 that requires a client certificate issued under the given CA and refuses
 * any other with a TLS alert ({@code -Verify} with {@code -verify_return_error}). It speaks TLS only, no SMTP: enough
 * for tests about what the client makes of a refused handshake. Without an {@code openssl} command the calling test is
 * skipped, visibly; under CI (CI=true) that fails instead, because .ci/postfix-setup.sh installs it.
 */
public final class OpensslServer implements AutoCloseable {

    public static final String MISSING = "openssl not found on PATH: skipping the tests against openssl s_server. "
                                         + "Fix: install it (Debian: apt-get install openssl)";
    private static final Logger LOG = LoggerFactory.getLogger(OpensslServer.class);
    private static final Pattern ACCEPT = Pattern.compile("^ACCEPT .*:(\\d+)\\s*$");
    private static final long START_TIMEOUT_SECONDS = 20;
    private static Boolean available;

    private final Process process;
    private final int port;
    private final Deque<String> output = new ArrayDeque<>();

    private OpensslServer(List<String> command) {
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> read(listening), "openssl-s_server-output");
        reader.setDaemon(true);
        reader.start();
        try {
            port = listening.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting openssl s_server", e);
        } catch (ExecutionException | TimeoutException e) {
            close();
            throw new IllegalStateException("openssl s_server did not start: " + command + "; output: " + output(), e);
        }
        LOG.info("openssl s_server on 127.0.0.1:{}", port);
    }

    /** Skips the calling test (fails it under CI) when there is no {@code openssl} command. */
    public static void assumeAvailable() {
        if (isAvailable()) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail("openssl not found on PATH although CI=true. Fix: install it; .ci/postfix-setup.sh does");
        }
        Assumptions.assumeTrue(false, MISSING);
    }

    private static synchronized boolean isAvailable() {
        if (available == null) {
            try {
                Process version = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
                available = version.waitFor(20, TimeUnit.SECONDS) && version.exitValue() == 0;
            } catch (IOException e) {
                available = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                available = false;
            }
            if (!available) {
                System.err.println(MISSING);
            }
        }
        return available;
    }

    /**
     * Starts {@code openssl s_server} presenting the server certificate (leaf first in the chain file) and requiring a
     * client certificate that chains to {@code clientCaPem}. Its certificate request names the subjects of
     * {@code clientCaPem} as the acceptable CAs unless {@code extraArguments} hold {@code -no_ca_names}.
     *
     * @param extraArguments more s_server options, appended as given
     */
    public static OpensslServer requiringClientCertificate(Path serverChainPem, Path serverKeyPem, Path clientCaPem,
                                                           String... extraArguments) {
        assumeAvailable();
        List<String> command = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:0",
                "-cert", serverChainPem.toString(), "-cert_chain", serverChainPem.toString(),
                "-key", serverKeyPem.toString(), "-Verify", "2", "-verify_return_error",
                "-CAfile", clientCaPem.toString()));
        command.addAll(List.of(extraArguments));
        return new OpensslServer(command);
    }

    public int port() {
        return port;
    }

    /** The last lines openssl printed, for failure messages. */
    public synchronized String output() {
        return String.join("\n", output);
    }

    private void read(CompletableFuture<Integer> listening) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                LOG.debug("s_server: {}", line);
                synchronized (this) {
                    output.addLast(line);
                    if (output.size() > 50) {
                        output.removeFirst();
                    }
                }
                Matcher m = ACCEPT.matcher(line);
                if (m.matches()) {
                    listening.complete(Integer.parseInt(m.group(1)));
                }
            }
            listening.completeExceptionally(new IOException("openssl s_server exited"));
        } catch (IOException e) {
            listening.completeExceptionally(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
