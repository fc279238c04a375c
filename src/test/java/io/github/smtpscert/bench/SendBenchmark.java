package io.github.smtpscert.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import javax.imageio.ImageIO;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.github.smtpscert.SmtpsCertEndpoint;
import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.TempDirs;
import io.github.smtpscert.testsupport.TestPki;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;

/**
 * Sends the same 1 KB messages to one client-certificate-requiring server through smtps-cert (pooled and not),
 * camel-mail smtps:// and one raw Angus transport, and checks the targets of docs/performance.md.
 * Run: see docs/performance.md.
 */
public final class SendBenchmark {

    private static final String BODY = "x".repeat(1000) + "\n"; // 1 KB of text
    private static final String[] VARIANTS = { "a smtps-cert pooled", "b smtps-cert poolEnabled=false",
                                               "c camel-mail smtps://", "d raw Angus, connected once" };
    private static final int POOL_MAX = 4;
    private static final int FAST_ROUNDS = 5; // rounds of the pooled a and d per thread count; the median counts

    /** Where to send and with which files. server is null when it runs outside this JVM. */
    record Target(String name, String host, int port, Path trustPem, Path trustStore, String trustStorePassword,
                  Path keyStore, String keyStorePassword, String from, String to, MtlsSmtpServer server,
                  Postfix postfix) {
    }

    /**
     * A local Postfix instance. configDirectory null: the default instance. log non-null: an instance logging at
     * smtpd_tls_loglevel 2, whose "Reusing old session" lines count the resumed handshakes server-side.
     * ticketOnResumption: whether the server gives a new TLS 1.3 ticket on a resumed connection (NO_TICKET: yes;
     * Postfix's default stateless tickets: no, which caps the resumption of one connection per message at one half).
     */
    record Postfix(String configDirectory, Path log, boolean ticketOnResumption) {
    }

    record Result(int variant, int threads, int messages, double perSecond, double cpuMsPerMessage,
                  double processCpuMsPerMessage, String clientHandshakes, String serverHandshakes,
                  long full, long resumed) {
    }

    private SendBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        int messages = 2000;
        int perConnectionMessages = -1; // b and c: the same as messages unless set
        String targetName = "greenmail";
        Path chart = null;
        boolean heap = false;
        Path serve = null;
        int identities = 0;
        int passes = 2;
        int pauseSeconds = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--per-connection-messages" -> perConnectionMessages = Integer.parseInt(args[++i]);
                case "--target" -> targetName = args[++i];
                case "--chart" -> chart = Path.of(args[++i]);
                case "--heap" -> heap = true;
                case "--serve" -> serve = Path.of(args[++i]);
                case "--identities" -> identities = Integer.parseInt(args[++i]);
                case "--passes" -> passes = Math.max(2, Integer.parseInt(args[++i]));
                case "--pause" -> pauseSeconds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + ". Use: --messages N [--per-connection-messages N] --target greenmail|postfix|postfix-no-ticket "
                          + "[--chart file.png] [--heap] [--identities N [--passes P] [--pause S]]");
            }
        }
        if (serve != null) {
            serve(serve);
            return;
        }
        if (heap) {
            heapMode(targetName);
            return;
        }
        if (identities > 0) {
            identitiesMode(identities, passes, pauseSeconds);
            return;
        }
        try (OpenTarget target = open(targetName, false)) {
            throughput(target.target(), messages, perConnectionMessages < 0 ? messages : perConnectionMessages, chart);
        }
    }

    // --- throughput: four variants, 1 and 4 threads ---

    /** slowMessages: per run of b and c, which open a connection per message and so take a minute or more per run. */
    private static void throughput(Target target, int messages, int slowMessages, Path chart) throws Exception {
        System.out.printf(Locale.ROOT, "target %s %s:%d, messages of 1 KB per run: %d for a and d, %d for b and c; "
                                       + "%d cores%n", target.name(), target.host(), target.port(), messages,
                slowMessages, Runtime.getRuntime().availableProcessors());
        // warm-up so that no variant measured pays for class loading and JIT compilation; the pooled ones (a, d) run
        // a full round, since at hundreds of messages per second a short warm-up ends before the JIT has compiled
        // their hot path, and last, so that b and c (which share Camel code with a) do not leave it to be recompiled;
        // the per-connection ones spend most of a message on the handshake and need less
        for (int variant : new int[] { 1, 2, 0, 3 }) {
            boolean pooled = variant == 0 || variant == 3;
            run(target, variant, 1, pooled ? messages : Math.max(20, slowMessages / 20));
        }
        List<Result> results = new ArrayList<>();
        Map<Integer, Double> aOverD = new HashMap<>();
        Map<Integer, Double> cpuAOverD = new HashMap<>();
        for (int threads : new int[] { 1, 4 }) {
            // a and d take seconds per run, so they alternate for a few rounds and the median round counts; a/d is the
            // median of the ratios of a round of a to the round of d right after it, so that the machine slowing down
            // for a while (it is shared) shifts both sides of a ratio alike; b and c run once
            List<Result> aRounds = new ArrayList<>();
            List<Result> dRounds = new ArrayList<>();
            for (int round = 0; round < FAST_ROUNDS; round++) {
                aRounds.add(measure(target, 0, threads, messages));
                dRounds.add(measure(target, 3, threads, messages));
            }
            results.add(median(aRounds));
            results.add(measure(target, 1, threads, slowMessages));
            results.add(measure(target, 2, threads, slowMessages));
            results.add(median(dRounds));
            double[] ratios = new double[FAST_ROUNDS];
            double[] cpuRatios = new double[FAST_ROUNDS];
            for (int round = 0; round < FAST_ROUNDS; round++) {
                ratios[round] = aRounds.get(round).perSecond() / dRounds.get(round).perSecond();
                cpuRatios[round] = aRounds.get(round).cpuMsPerMessage() / dRounds.get(round).cpuMsPerMessage();
            }
            Arrays.sort(ratios);
            Arrays.sort(cpuRatios);
            aOverD.put(threads, ratios[FAST_ROUNDS / 2]);
            cpuAOverD.put(threads, cpuRatios[FAST_ROUNDS / 2]);
        }
        System.out.println();
        System.out.println("| variant | threads | messages/s | sender CPU ms/msg | process CPU ms/msg "
                           + "| handshakes full/resumed (component) | handshakes full/resumed (server) |");
        System.out.println("|---|---:|---:|---:|---:|---|---|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.3f | %.3f | %s | %s |%n", VARIANTS[r.variant()],
                    r.threads(), r.perSecond(), r.cpuMsPerMessage(), r.processCpuMsPerMessage(), r.clientHandshakes(),
                    r.serverHandshakes());
        }
        System.out.println();
        boolean allPass = true;
        for (int threads : new int[] { 1, 4 }) {
            Result a = find(results, 0, threads);
            Result b = find(results, 1, threads);
            Result c = find(results, 2, threads);
            Result d = find(results, 3, threads);
            double ad = aOverD.get(threads);
            double cpu = cpuAOverD.get(threads);
            System.out.printf(Locale.ROOT, "%d thread(s): a/c = %.1fx, b/c = %.2fx, a/d = %.2fx, sender CPU a/d = %.2fx "
                                           + "(medians of %d round pairs; medians' quotients %.2fx and %.2fx)%n", threads,
                    a.perSecond() / c.perSecond(), b.perSecond() / c.perSecond(), ad, cpu, FAST_ROUNDS,
                    a.perSecond() / d.perSecond(), a.cpuMsPerMessage() / d.cpuMsPerMessage());
            if (threads == 1) {
                allPass &= check(String.format(Locale.ROOT, "(a) %.1fx (c) at 1 thread (>= 20x)",
                        a.perSecond() / c.perSecond()), a.perSecond() >= 20 * c.perSecond());
            }
            allPass &= check(String.format(Locale.ROOT, "(a) %.2fx (d) messages/s at %d thread(s) (>= 0.95x)", ad,
                    threads), ad >= 0.95);
            allPass &= check(String.format(Locale.ROOT, "(a) %.2fx (d) sender CPU per message at %d thread(s) "
                                                        + "(<= 1.05x)", cpu, threads), cpu <= 1.05);
            allPass &= check("(b) >= (c) at " + threads + " thread(s)", b.perSecond() >= c.perSecond());
            double resumedShare = (double) b.resumed() / Math.max(1, b.full() + b.resumed() - 1);
            if (target.postfix() == null || target.postfix().ticketOnResumption()) {
                allPass &= check(String.format(Locale.ROOT, "(b) %.2f%% of handshakes after the first resumed (>= 99%%) "
                                                            + "at %d thread(s)", 100 * resumedShare, threads),
                        resumedShare >= 0.99);
            } else {
                // a full handshake gets one ticket, a resumed one none, and a TLS 1.3 ticket is used once: at most
                // every second connection can resume (docs/performance.md, "Postfix as shipped"); the cap is reached
                // when every full handshake but the last of each thread's chain is followed by a resumed one
                allPass &= check(String.format(Locale.ROOT, "(b) %.2f%% of handshakes after the first resumed: %d "
                                                            + "resumed for %d full (the cap of a server that gives no "
                                                            + "ticket on resumption: >= full - %d) at %d thread(s)",
                        100 * resumedShare, b.resumed(), b.full(), threads, threads), b.resumed() >= b.full() - threads);
            }
        }
        System.out.println(allPass ? "ALL THROUGHPUT TARGETS PASS" : "SOME THROUGHPUT TARGETS FAIL");
        if (chart != null) {
            writeChart(chart, target, messages, slowMessages, results);
            System.out.println("chart written to " + chart);
        }
    }

    private static Result measure(Target target, int variant, int threads, int messages) throws Exception {
        Result r = run(target, variant, threads, messages);
        System.out.printf(Locale.ROOT, "  %-32s %d thread(s): %8.1f msg/s, %.3f ms CPU/msg%n", VARIANTS[variant], threads,
                r.perSecond(), r.cpuMsPerMessage());
        return r;
    }

    private static Result median(List<Result> rounds) {
        List<Result> sorted = new ArrayList<>(rounds);
        sorted.sort(Comparator.comparingDouble(Result::perSecond));
        return sorted.get(sorted.size() / 2);
    }

    private static Result run(Target target, int variant, int threads, int messages) throws Exception {
        // every run starts from the same state: an empty server store (the in-process server otherwise holds every
        // earlier run's messages, and its garbage collections grow with them) and a freshly collected heap
        if (target.server() == null) {
            awaitEmptyMailQueue(target.postfix());
        } else {
            target.server().clearDeliveries();
        }
        System.gc();
        try (Sender sender = switch (variant) {
            case 0 -> new CamelSender(target, smtpsCertUri(target, ""), false);
            case 1 -> new CamelSender(target, smtpsCertUri(target, "&poolEnabled=false"), false);
            case 2 -> new CamelSender(target, camelMailUri(target), true);
            default -> new AngusSender(target, threads);
        }) {
            Path serverLog = target.postfix() == null ? null : target.postfix().log();
            long logStart = serverLog == null ? 0 : Files.size(serverLog);
            int serverFull = target.server() == null ? 0 : target.server().fullHandshakes();
            int serverResumed = target.server() == null ? 0 : target.server().resumedHandshakes();
            ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
            AtomicLong senderCpuNanos = new AtomicLong();
            long processCpuStart = processCpuNanos();
            long start = System.nanoTime();
            onThreads(threads, thread -> {
                long cpu = threadBean.getCurrentThreadCpuTime();
                for (int i = thread; i < messages; i += threads) {
                    sender.send(thread, i);
                }
                senderCpuNanos.addAndGet(threadBean.getCurrentThreadCpuTime() - cpu);
            });
            double seconds = (System.nanoTime() - start) / 1e9;
            long processCpu = processCpuNanos() - processCpuStart;
            String server = serverLog != null ? postfixHandshakes(serverLog, logStart)
                    : target.server() == null ? "n/a (external server)"
                    : (target.server().fullHandshakes() - serverFull) + " / "
                      + (target.server().resumedHandshakes() - serverResumed);
            long full = sender.fullHandshakes();
            long resumed = sender.resumedHandshakes();
            String client = full < 0 ? "n/a" : full + " / " + resumed;
            return new Result(variant, threads, messages, messages / seconds, senderCpuNanos.get() / 1e6 / messages,
                    processCpu / 1e6 / messages, client, server, full, resumed);
        }
    }

    /**
     * Postfix accepts a message into its queue and delivers it afterwards; without this wait, the delivery of the
     * previous run's messages would compete for the 2 cores with the run being measured.
     */
    private static void awaitEmptyMailQueue(Postfix postfix) throws Exception {
        long deadline = System.nanoTime() + 300_000_000_000L;
        List<String> command = new ArrayList<>(List.of("postqueue", "-p"));
        if (postfix != null && postfix.configDirectory() != null) {
            command.addAll(1, List.of("-c", postfix.configDirectory()));
        }
        while (System.nanoTime() < deadline) {
            Process queue = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(queue.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (queue.waitFor() != 0 || out.contains("Mail queue is empty")) {
                return; // not a local Postfix we can ask, or nothing left to deliver
            }
            Thread.sleep(500);
        }
        System.out.println("warning: Postfix's queue did not empty within 5 minutes; measuring anyway");
    }

    /**
     * Full / resumed TLS handshakes that Postfix logged since offset: at smtpd_tls_loglevel 2 it logs "Reusing old
     * session" for every resumed one and "TLS connection established" for every one.
     */
    private static String postfixHandshakes(Path log, long offset) throws Exception {
        long all = 0;
        long resumed = 0;
        long seen = -1;
        for (int wait = 0; wait < 50; wait++) { // postlogd writes the log a moment later
            all = 0;
            resumed = 0;
            try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(log.toFile(), "r")) {
                file.seek(Math.min(offset, file.length()));
                byte[] rest = new byte[(int) (file.length() - file.getFilePointer())];
                file.readFully(rest);
                for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
                    if (line.contains("TLS connection established from")) {
                        all++;
                    } else if (line.contains("Reusing old session")) {
                        resumed++;
                    }
                }
            }
            if (all == seen) {
                break;
            }
            seen = all;
            Thread.sleep(200);
        }
        return (all - resumed) + " / " + resumed;
    }

    // --- many identities ---

    private static final int PER_IDENTITY = 2;
    private static final int IDLE_TIMEOUT_MS = 2000;

    /**
     * N identities of one key store, chosen per exchange by CamelSmtpsCertKeyAlias (allowIdentityFromHeader), PER_IDENTITY
     * messages each over 2 threads, against the in-process server, which records the certificate of each delivery;
     * then the same number of messages from one identity, for comparison; then a second pass over the N identities.
     */
    private static void identitiesMode(int identities, int passes, int pauseSeconds) throws Exception {
        Path dir = TempDirs.create("smtps-cert-bench-ids");
        TestPki pki = TestPki.shared();
        pki.writeTrustPem(dir, "trust.pem");
        Map<String, io.github.smtpscert.testsupport.Leaf> leaves = new java.util.LinkedHashMap<>();
        Map<String, String> fingerprints = new HashMap<>();
        long keysStart = System.nanoTime();
        for (int i = 0; i < identities; i++) {
            String alias = String.format(Locale.ROOT, "tenant-%04d", i);
            io.github.smtpscert.testsupport.Leaf leaf = pki.issueClient(alias, KeyAlg.EC);
            leaves.put(alias, leaf);
            fingerprints.put(alias, TestPki.sha256Hex(leaf.chain()[0]));
        }
        Path many = TestPki.writeKeyStore(dir.resolve("tenants.p12"), "PKCS12", "changeit".toCharArray(), leaves);
        Map.Entry<String, io.github.smtpscert.testsupport.Leaf> first = leaves.entrySet().iterator().next();
        System.out.printf(Locale.ROOT, "%d identities (EC P-256) issued and stored in %.1f s%n", identities,
                (System.nanoTime() - keysStart) / 1e9);
        List<String> aliases = new ArrayList<>(leaves.keySet());
        int messages = identities * PER_IDENTITY;
        try (MtlsSmtpServer server = MtlsSmtpServer.start(pki, pki.issueServer("localhost"))) {
            String base = "smtps-cert:localhost:" + server.port() + "?tlsMode=IMPLICIT&from=sender@example.org"
                          + "&to=rcpt@example.org&subject=benchmark&keyStorePassword=RAW(changeit)&trustCertificates="
                          + dir.resolve("trust.pem") + "&poolIdleTimeout=" + IDLE_TIMEOUT_MS + "&keyStore=";
            int threadsBefore = Thread.activeCount();
            // 1 identity: the same number of messages through the same kind of endpoint (the same key store, so its
            // 1,000 keys count on both sides), every one presenting the first tenant
            IdentityRun single;
            try (CamelContext context = new DefaultCamelContext()) {
                context.start();
                single = identityRun(server, base + many + "&allowIdentityFromHeader=true", List.of(first.getKey()),
                        messages, fingerprints, true, context);
            }
            long heapOne = single.heapAfterIdle();
            System.out.printf(Locale.ROOT, "1 identity:   %d messages, %.1f msg/s, heap after idle %.1f MB%n", messages,
                    single.perSecond(), heapOne / 1e6);
            CamelContext context = new DefaultCamelContext();
            context.start();
            try {
                // passes over the same identities through one endpoint that stays up; with --passes above 2 and a
                // --pause, a long run that shows whether anything accumulates
                List<IdentityRun> runs = new ArrayList<>();
                long soakStart = System.nanoTime();
                for (int pass = 1; pass <= passes; pass++) {
                    if (pass > 1 && pauseSeconds > 0) {
                        Thread.sleep(pauseSeconds * 1000L);
                    }
                    IdentityRun run = identityRun(server, base + many + "&allowIdentityFromHeader=true", aliases,
                            messages, fingerprints, true, context);
                    runs.add(run);
                    System.out.printf(Locale.ROOT, "%d identities, pass %d (%.0f min): %d messages, %.1f msg/s, server "
                                                   + "handshakes %d full / %d resumed, heap after idle %.1f MB, threads "
                                                   + "+%d, ESTABLISHED %d%n", identities, pass,
                            (System.nanoTime() - soakStart) / 60e9, messages, run.perSecond(), run.full(),
                            run.resumed(), run.heapAfterIdle() / 1e6, run.threadsAfterIdle() - threadsBefore,
                            run.established());
                }
                IdentityRun firstPass = runs.get(0);
                IdentityRun secondPass = runs.get(1);
                IdentityRun lastPass = runs.get(runs.size() - 1);
                double ratio = firstPass.perSecond() / single.perSecond();
                System.out.printf(Locale.ROOT, "INFO throughput with %d identities = %.2fx that of 1 identity (every "
                                               + "identity's first connection is a full handshake)%n", identities, ratio);
                long most = runs.stream().mapToLong(IdentityRun::heapAfterIdle).max().orElseThrow();
                long growth = most - heapOne;
                boolean allPass = check(String.format(Locale.ROOT, "retained heap after the pools went idle: %.1f MB "
                                                                   + "above the 1-identity run (<= 20 MB)", growth / 1e6),
                        growth <= 20_000_000L);
                allPass &= check(String.format(Locale.ROOT, "ESTABLISHED connections %d ms after the idle timeout: %s "
                                                            + "(0 after every pass)", IDLE_TIMEOUT_MS + 3000,
                        runs.stream().map(r -> String.valueOf(r.established())).toList()),
                        runs.stream().allMatch(r -> r.established() == 0));
                allPass &= check(String.format(Locale.ROOT, "threads after the idle timeout: %d after pass 1, %d after "
                                                            + "the last (no more than after the first; %d before any "
                                                            + "run, Camel's own included)", firstPass.threadsAfterIdle(),
                        lastPass.threadsAfterIdle(), threadsBefore),
                        lastPass.threadsAfterIdle() <= firstPass.threadsAfterIdle());
                allPass &= check(String.format(Locale.ROOT, "every message delivered under its own identity, as the "
                                                            + "server saw it: %s of %d per pass",
                        runs.stream().map(r -> String.valueOf(r.rightIdentity())).toList(), messages),
                        runs.stream().allMatch(r -> r.rightIdentity() == messages));
                if (passes > 2) {
                    long drift = lastPass.heapAfterIdle() - secondPass.heapAfterIdle();
                    allPass &= check(String.format(Locale.ROOT, "heap after the last of %d passes (%.0f min) %+.1f MB "
                                                                + "from pass 2 (<= +5 MB: nothing accumulates)", passes,
                            (System.nanoTime() - soakStart) / 60e9, drift / 1e6), drift <= 5_000_000L);
                }
                System.out.printf(Locale.ROOT, "INFO second pass: %d of %d handshakes resumed (sessions of idle "
                                               + "identities kept: %s)%n", secondPass.resumed(),
                        secondPass.full() + secondPass.resumed(), secondPass.resumed() > 0 ? "yes" : "no");
                System.out.println(allPass ? "ALL IDENTITY TARGETS PASS" : "SOME IDENTITY TARGETS FAIL");
                printHistogram();
            } finally {
                context.close();
            }
        }
    }

    record IdentityRun(double perSecond, int full, int resumed, int rightIdentity, long heapAfterIdle,
                       int threadsAfterIdle, int established) {
    }

    /**
     * Sends messages round-robin over the aliases from 2 threads; with a context given, through it (and it stays up,
     * so its endpoint's per-identity state does), else through a fresh context closed before the heap is measured.
     */
    private static IdentityRun identityRun(MtlsSmtpServer server, String uri, List<String> aliases, int messages,
                                           Map<String, String> fingerprints, boolean header, CamelContext shared)
            throws Exception {
        server.clearDeliveries();
        int full0 = server.fullHandshakes();
        int resumed0 = server.resumedHandshakes();
        CamelContext context = shared != null ? shared : new DefaultCamelContext();
        if (shared == null) {
            context.start();
        }
        double perSecond;
        try {
            Endpoint endpoint = context.getEndpoint(uri);
            ProducerTemplate template = context.createProducerTemplate();
            long start = System.nanoTime();
            onThreads(2, thread -> {
                for (int i = thread; i < messages; i += 2) {
                    String alias = aliases.get(i % aliases.size());
                    Exchange ex = template.send(endpoint, exchange -> {
                        if (header) {
                            exchange.getMessage().setHeader("CamelSmtpsCertKeyAlias", alias);
                        }
                        exchange.getMessage().setBody("alias=" + alias + "\n" + BODY);
                    });
                    if (ex.getException() != null) {
                        throw ex.getException();
                    }
                }
            });
            perSecond = messages / ((System.nanoTime() - start) / 1e9);
            template.close();
        } finally {
            if (shared == null) {
                context.close();
            }
        }
        int right = 0;
        for (MtlsSmtpServer.Delivery d : server.deliveries()) {
            String body = String.valueOf(d.message().getContent());
            java.util.regex.Matcher alias = java.util.regex.Pattern.compile("alias=(\\S+)").matcher(body);
            if (alias.find() && d.clientCertSha256Hex() != null
                && d.clientCertSha256Hex().equalsIgnoreCase(fingerprints.get(alias.group(1)))) {
                right++;
            }
        }
        int full = server.fullHandshakes() - full0;
        int resumed = server.resumedHandshakes() - resumed0;
        server.clearDeliveries();
        Thread.sleep(IDLE_TIMEOUT_MS + 3000L); // the pool closes idle connections after poolIdleTimeout
        int established = established(server.port());
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new IdentityRun(perSecond, full, resumed, right, heap, Thread.activeCount(), established);
    }

    /** The classes holding the most live heap now, from jcmd (skipped when the JDK has none). */
    private static void printHistogram() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return;
        }
        try {
            Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(ProcessHandle.current().pid()),
                    "GC.class_histogram").redirectErrorStream(true).start();
            List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            p.waitFor();
            // exec:java runs in Maven's JVM, whose own classes lead the list: show TLS, certificate and our classes
            System.out.println("live heap after the last pass, TLS/certificate/smtps-cert classes (jcmd GC.class_histogram):");
            lines.stream().filter(l -> l.contains("sun.security.ssl") || l.contains("X509") || l.contains("smtpscert")
                                       || l.contains("angus")).limit(15).forEach(l -> System.out.println("  " + l));
        } catch (Exception e) {
            System.out.println("no class histogram: " + e.getMessage());
        }
    }

    /** ESTABLISHED TCP connections to the port from this host (/proc/net/tcp, Linux); -1 when unknown. */
    private static int established(int port) {
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        int count = 0;
        try {
            for (String file : new String[] { "/proc/net/tcp", "/proc/net/tcp6" }) {
                if (!Files.exists(Path.of(file))) {
                    continue;
                }
                for (String line : Files.readAllLines(Path.of(file))) {
                    String[] f = line.trim().split("\\s+");
                    // remote address is field 2, state field 3 ("01" = ESTABLISHED); count client ends only
                    if (f.length > 3 && f[2].endsWith(hexPort) && f[3].equals("01")) {
                        count++;
                    }
                }
            }
            return count;
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    // --- heap and handshake count over a long run ---

    private static void heapMode(String targetName) throws Exception {
        // the in-process GreenMail keeps every message, so the server runs in a child JVM to keep it off our heap
        try (OpenTarget target = open(targetName, true)) {
            Target t = target.target();
            System.out.printf(Locale.ROOT, "heap mode: target %s %s:%d, smtps-cert pooled, 4 threads%n", t.name(), t.host(),
                    t.port());
            try (CamelSender sender = new CamelSender(t, smtpsCertUri(t, ""), false)) {
                sendMany(sender, 10_000);
                long full = sender.fullHandshakes();
                boolean handshakesOk = check("full handshakes for 10,000 messages = " + full + " <= poolMaxConnections ("
                                             + POOL_MAX + ") for the one identity", full <= POOL_MAX);
                long heap10k = usedHeapAfterGc();
                sendMany(sender, 90_000);
                long heap100k = usedHeapAfterGc();
                double deltaMb = (heap100k - heap10k) / 1024.0 / 1024.0;
                System.out.printf(Locale.ROOT, "used heap after GC: %.1f MB after 10,000, %.1f MB after 100,000 (delta %+.1f MB); "
                                               + "full/resumed handshakes %d/%d%n", heap10k / 1048576.0,
                        heap100k / 1048576.0, deltaMb, sender.fullHandshakes(), sender.resumedHandshakes());
                boolean heapOk = check("heap after 100,000 within 10 MB of heap after 10,000", Math.abs(deltaMb) <= 10);
                System.out.println(handshakesOk && heapOk ? "ALL HEAP TARGETS PASS" : "SOME HEAP TARGETS FAIL");
            }
        }
    }

    private static void sendMany(Sender sender, int count) throws Exception {
        onThreads(4, thread -> {
            for (int i = thread; i < count; i += 4) {
                sender.send(thread, i);
            }
        });
    }

    private interface SenderThread {
        void run(int thread) throws Exception;
    }

    /** Runs body on that many threads and waits for all; on a failure the threads are stopped, so the JVM can exit. */
    private static void onThreads(int threads, SenderThread body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    body.run(thread);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // a few rounds: one System.gc() may leave finalizable or soft-referenced garbage behind
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    // --- senders ---

    interface Sender extends AutoCloseable {
        void send(int thread, int index) throws Exception;

        /** -1 when the sender cannot tell. */
        long fullHandshakes();

        long resumedHandshakes();

        @Override
        void close() throws Exception;
    }

    /** smtps-cert or camel-mail through a ProducerTemplate; a fresh CamelContext per run so caches start empty. */
    static final class CamelSender implements Sender {
        private final CamelContext context = new DefaultCamelContext();
        private final Endpoint endpoint;
        private final ProducerTemplate template;

        CamelSender(Target target, String uri, boolean sslBean) throws Exception {
            if (sslBean) {
                context.getRegistry().bind("ssl", sslContextParameters(target));
            }
            context.start();
            endpoint = context.getEndpoint(uri);
            template = context.createProducerTemplate();
        }

        @Override
        public void send(int thread, int index) throws Exception {
            Exchange ex = template.send(endpoint, exchange -> exchange.getMessage().setBody(BODY));
            if (ex.getException() != null) {
                throw ex.getException();
            }
        }

        @Override
        public long fullHandshakes() {
            return endpoint instanceof SmtpsCertEndpoint e ? e.getFullHandshakes() : -1;
        }

        @Override
        public long resumedHandshakes() {
            return endpoint instanceof SmtpsCertEndpoint e ? e.getResumedHandshakes() : -1;
        }

        @Override
        public void close() throws Exception {
            template.close();
            context.close();
        }
    }

    /** One Angus transport per sender thread, connected once and reused for every message. */
    static final class AngusSender implements Sender {
        private final Target target;
        private final Session session;
        private final Transport[] transports;

        AngusSender(Target target, int threads) throws Exception {
            this.target = target;
            Properties props = new Properties();
            props.put("mail.smtps.ssl.socketFactory", sslContext(target).getSocketFactory());
            props.put("mail.smtps.ssl.checkserveridentity", "true");
            props.put("mail.smtps.ssl.protocols", "TLSv1.3 TLSv1.2");
            session = Session.getInstance(props);
            transports = new Transport[threads];
        }

        @Override
        public void send(int thread, int index) throws Exception {
            Transport transport = transports[thread];
            if (transport == null) {
                transport = session.getTransport("smtps");
                transport.connect(target.host(), target.port(), null, null);
                transports[thread] = transport;
            }
            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress(target.from()));
            message.setRecipient(Message.RecipientType.TO, new InternetAddress(target.to()));
            message.setSubject("benchmark");
            message.setText(BODY, "UTF-8");
            message.saveChanges();
            transport.sendMessage(message, message.getAllRecipients());
        }

        @Override
        public long fullHandshakes() {
            return -1;
        }

        @Override
        public long resumedHandshakes() {
            return -1;
        }

        @Override
        public void close() throws Exception {
            for (Transport transport : transports) {
                if (transport != null) {
                    transport.close();
                }
            }
        }
    }

    private static String smtpsCertUri(Target t, String extra) {
        return "smtps-cert:" + t.host() + ":" + t.port() + "?tlsMode=IMPLICIT&from=" + t.from() + "&to=" + t.to()
               + "&subject=benchmark&poolMaxConnections=" + POOL_MAX + "&keyStore=" + t.keyStore()
               + "&keyStorePassword=RAW(" + t.keyStorePassword() + ")&trustCertificates=" + t.trustPem() + extra;
    }

    private static String camelMailUri(Target t) {
        return "smtps://" + t.host() + ":" + t.port() + "?sslContextParameters=#ssl&from=" + t.from() + "&to=" + t.to()
               + "&subject=benchmark";
    }

    private static SSLContextParameters sslContextParameters(Target t) {
        KeyManagersParameters keyManagers = new KeyManagersParameters();
        keyManagers.setKeyStore(pkcs12(t.keyStore(), t.keyStorePassword()));
        keyManagers.setKeyPassword(t.keyStorePassword());
        TrustManagersParameters trustManagers = new TrustManagersParameters();
        trustManagers.setKeyStore(pkcs12(t.trustStore(), t.trustStorePassword()));
        SSLContextParameters ssl = new SSLContextParameters();
        ssl.setKeyManagers(keyManagers);
        ssl.setTrustManagers(trustManagers);
        return ssl;
    }

    private static KeyStoreParameters pkcs12(Path file, String password) {
        KeyStoreParameters store = new KeyStoreParameters();
        store.setResource("file:" + file);
        store.setPassword(password);
        store.setType("PKCS12");
        return store;
    }

    private static SSLContext sslContext(Target t) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(t.keyStore().toFile())) {
            keys.load(in, t.keyStorePassword().toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(t.trustStore().toFile())) {
            trust.load(in, t.trustStorePassword().toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, t.keyStorePassword().toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    // --- targets ---

    /** A target and what has to be stopped with it. */
    private record OpenTarget(Target target, AutoCloseable stop) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            stop.close();
        }
    }

    private static OpenTarget open(String name, boolean separateServerJvm) throws Exception {
        // "postfix": the instance with Postfix's TLS session settings as shipped (tickets on, port 1465);
        // "postfix-no-ticket": the integration tests' instance (port 465), tls_ssl_options = NO_TICKET plus a cache
        if (name.equals("postfix") || name.equals("postfix-no-ticket")) {
            boolean defaults = name.equals("postfix");
            String dir = System.getenv().getOrDefault("SMTPSCERT_POSTFIX_DIR", "/tmp/smtpscert-postfix");
            Path file = Path.of(dir, "postfix-it.properties");
            if (!Files.exists(file)) {
                throw new IllegalStateException(file + " is missing. Fix: run .ci/postfix-setup.sh first");
            }
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
            if (defaults && p.getProperty("defaults.smtpsPort") == null) {
                throw new IllegalStateException(file + " has no defaults.smtpsPort. Fix: run .ci/postfix-setup.sh (it "
                                                + "sets up the second, as-shipped Postfix instance too)");
            }
            int port = defaults ? Integer.parseInt(p.getProperty("defaults.smtpsPort")) : 465;
            Postfix postfix = defaults ? new Postfix(p.getProperty("defaults.configDirectory"),
                    Path.of(p.getProperty("defaults.postfixLog")), false) : new Postfix(null, null, true);
            Target t = new Target(name, p.getProperty("host"), port, Path.of(p.getProperty("trustPem")),
                    Path.of(p.getProperty("trustStore")), p.getProperty("trustStorePassword"),
                    Path.of(p.getProperty("alice.keyStore")), p.getProperty("alice.keyStorePassword"),
                    "benchmark@localhost", p.getProperty("recipient"), null, postfix);
            return new OpenTarget(t, () -> { });
        }
        if (!name.equals("greenmail")) {
            throw new IllegalArgumentException("--target " + name
                                               + " is unknown. Fix: use greenmail, postfix or postfix-no-ticket");
        }
        Path dir = TempDirs.create("smtps-cert-bench"); // its keys are deleted when the benchmark JVM exits
        if (separateServerJvm) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", classPath(), SendBenchmark.class.getName(), "--serve", dir.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            int port = -1;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("PORT ")) {
                    port = Integer.parseInt(line.substring(5).trim());
                    break;
                }
            }
            if (port < 0) {
                throw new IllegalStateException("the server JVM did not start");
            }
            Target t = greenmailTarget(dir, port, null);
            return new OpenTarget(t, () -> {
                child.getOutputStream().close(); // the child stops when its stdin closes
                child.waitFor();
            });
        }
        MtlsSmtpServer server = writeFilesAndStart(dir);
        return new OpenTarget(greenmailTarget(dir, server.port(), server), server);
    }

    private static Target greenmailTarget(Path dir, int port, MtlsSmtpServer server) {
        return new Target("greenmail", "localhost", port, dir.resolve("trust.pem"), dir.resolve("trust.p12"), "changeit",
                dir.resolve("alice.p12"), "changeit", "sender@example.org", "rcpt@example.org", server, null);
    }

    private static MtlsSmtpServer writeFilesAndStart(Path dir) throws Exception {
        TestPki pki = TestPki.shared();
        pki.writeTrustPem(dir, "trust.pem");
        pki.writeTrustStore(dir, "trust.p12", "changeit".toCharArray(), "PKCS12");
        pki.issueClient("alice", KeyAlg.RSA).writePkcs12(dir, "alice.p12", "changeit".toCharArray(),
                "changeit".toCharArray());
        MtlsSmtpServer server = MtlsSmtpServer.start(pki, pki.issueServer("localhost"));
        return server;
    }

    /** Child-JVM mode: writes the files, starts the server, prints its port, runs until stdin closes. */
    private static void serve(Path dir) throws Exception {
        try (MtlsSmtpServer server = writeFilesAndStart(dir)) {
            System.out.println("PORT " + server.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our stdin
            }
        }
        System.exit(0);
    }

    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (ClassLoader cl = SendBenchmark.class.getClassLoader(); cl != null; cl = cl.getParent()) {
            if (cl instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    entries.add(url.getPath());
                }
            }
        }
        entries.add(System.getProperty("java.class.path"));
        return String.join(java.io.File.pathSeparator, entries);
    }

    // --- output ---

    private static boolean check(String what, boolean ok) {
        System.out.println((ok ? "PASS " : "FAIL ") + what);
        return ok;
    }

    private static Result find(List<Result> results, int variant, int threads) {
        return results.stream().filter(r -> r.variant() == variant && r.threads() == threads).findFirst().orElseThrow();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Grouped bars: messages/s per variant, one bar per thread count, on a log scale (the variants differ by 100x). */
    private static void writeChart(Path file, Target target, int messages, int slowMessages, List<Result> results) throws Exception {
        int width = 900;
        int height = 480;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("Messages/s to " + target.name() + " (" + messages + " x 1 KB for a and d, " + slowMessages
                     + " for b and c, log scale)", 20, 28);
        int left = 80;
        int top = 50;
        int bottom = height - 90;
        double max = results.stream().mapToDouble(Result::perSecond).max().orElse(1);
        double logMax = Math.ceil(Math.log10(Math.max(10, max)));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setStroke(new BasicStroke(1));
        for (int p = 0; p <= logMax; p++) {
            int y = bottom - (int) ((bottom - top) * p / logMax);
            g.setColor(new Color(220, 220, 220));
            g.drawLine(left, y, width - 20, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%,d", (long) Math.pow(10, p)), 10, y + 4);
        }
        Color[] colors = { new Color(66, 133, 244), new Color(244, 160, 0) };
        int groupWidth = (width - left - 40) / VARIANTS.length;
        for (int v = 0; v < VARIANTS.length; v++) {
            int x = left + v * groupWidth + 20;
            int[] threadCounts = { 1, 4 };
            for (int k = 0; k < threadCounts.length; k++) {
                Result r = find(results, v, threadCounts[k]);
                int barHeight = (int) ((bottom - top) * Math.max(0, Math.log10(Math.max(1, r.perSecond()))) / logMax);
                int bx = x + k * (groupWidth - 40) / 2;
                int bw = (groupWidth - 40) / 2 - 6;
                g.setColor(colors[k]);
                g.fillRect(bx, bottom - barHeight, bw, barHeight);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%.0f", r.perSecond()), bx + 4, bottom - barHeight - 4);
            }
            // two lines: "a smtps-cert" over "pooled", so neighbouring labels do not run into each other
            String[] words = VARIANTS[v].split(" ");
            int split = Math.min(2, words.length);
            g.drawString(String.join(" ", Arrays.copyOfRange(words, 0, split)), x, bottom + 20);
            g.drawString(String.join(" ", Arrays.copyOfRange(words, split, words.length)), x, bottom + 36);
        }
        for (int k = 0; k < 2; k++) {
            g.setColor(colors[k]);
            g.fillRect(left + k * 140, height - 40, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString((k == 0 ? 1 : 4) + " sender thread" + (k == 0 ? "" : "s"), left + k * 140 + 20, height - 28);
        }
        g.dispose();
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        ImageIO.write(image, "png", file.toFile());
    }
}
