package io.github.smtpscert.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.security.auth.x500.X500Principal;

import io.github.smtpscert.SmtpsCertConstants;
import io.github.smtpscert.SmtpsCertEndpoint;
import io.github.smtpscert.it.PostfixServer.PemClient;
import io.github.smtpscert.it.PostfixServer.ReceivedClient;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Certificate rotation while mail is being sent, against the local Postfix of .ci/postfix-setup.sh (issue #11): the
 * client's identity files rotated by symlink swap as Kubernetes updates a mounted Secret, and a CA rollover on the
 * server (Postfix switched to trust another client CA, then {@code postfix reload}). Which certificate each mail was
 * sent with is read from the Received header Postfix writes ({@code smtpd_tls_received_header = yes}).
 * <p>
 * Every loop is bounded in count and time; nothing asserts how fast anything is.
 */
class CertificateRotationIT {

    private static final int SENDERS = 4;
    private static final int ROTATIONS = 5;
    /** Successful sends, started after a change settled, that each phase waits for before the next change. */
    private static final int SENDS_PER_PHASE = 12;
    /** A sender's pause between two sends, so a run makes hundreds of mails, not thousands. */
    private static final long PACE_MILLIS = 10;
    private static final int MAX_SENDS_PER_SENDER = 2_000;
    private static final long RUN_LIMIT_MILLIS = 60_000;
    private static final long PHASE_TIMEOUT_MILLIS = 15_000;
    /** reloadInterval=100 (ms): after a swap the component's next check finds it within about this. */
    private static final long RELOAD_TIMEOUT_MILLIS = 10_000;
    /** After the reload count has gone up: lets sends that started before it finish. */
    private static final long SWAP_SETTLE_MILLIS = 200;
    private static final long PAUSE_BETWEEN_SWAPS_MILLIS = 300;
    /** After Postfix requests certificates from the new CA: lets smtpd processes of the old configuration finish. */
    private static final long RELOAD_SETTLE_MILLIS = 1_000;
    private static final Pattern CN = Pattern.compile("(?:^|,)\\s*CN=([^,]+)");

    private static PostfixServer postfix;

    private CamelContext context;
    private ProducerTemplate template;
    private String marker;

    @BeforeEach
    void setUp() throws Exception {
        postfix = PostfixServer.require(); // per test, so each one is reported as skipped without Postfix
        postfix.clearMaildir();
        context = new DefaultCamelContext();
        context.start();
        template = context.createProducerTemplate();
        marker = "rotation-it-" + UUID.randomUUID();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (context != null) {
            context.close();
        }
    }

    /**
     * Issue #11: "4 sender threads send continuously while the identity files are rotated 5 times by symlink swap.
     * Nothing is lost. Every mail is received under the old or the new certificate, as Postfix's Received header
     * shows. After each swap settles, none arrives under the old one."
     */
    @Test
    void identityFilesRotatedBySymlinkSwapWhileFourThreadsSend(@TempDir Path tmp) throws Exception {
        List<PemClient> generations = new ArrayList<>();
        for (int i = 1; i <= ROTATIONS + 1; i++) {
            generations.add(postfix.pemClient("rotation-" + i)); // all issued by the client CA Postfix trusts
        }
        SecretDir secret = new SecretDir(tmp.resolve("smtps-cert-identity"), generations.get(0));
        String uri = uri("certificateFile=" + secret.certificateFile(), "privateKeyFile=" + secret.privateKeyFile(),
                "reloadInterval=100"); // pooled, the default
        SmtpsCertEndpoint endpoint = context.getEndpoint(uri, SmtpsCertEndpoint.class);

        // swapped[k]: just before the rename that made generation k current; settled[k]: its reload counted, plus a
        // short settle. Generation k may be presented by a send whose [start, end] overlaps [swapped[k], settled[k+1]).
        long[] swapped = new long[ROTATIONS + 1];
        long[] settled = new long[ROTATIONS + 1];
        Senders senders = new Senders(uri);
        long begin = System.nanoTime();
        try {
            settled[0] = System.nanoTime();
            swapped[0] = settled[0];
            senders.start();
            senders.awaitSucceededSince(settled[0], SENDS_PER_PHASE);
            for (int k = 1; k <= ROTATIONS; k++) {
                Thread.sleep(PAUSE_BETWEEN_SWAPS_MILLIS);
                swapped[k] = secret.swapTo(generations.get(k));
                awaitReloadCount(endpoint, k);
                Thread.sleep(SWAP_SETTLE_MILLIS);
                settled[k] = System.nanoTime();
                senders.awaitSucceededSince(settled[k], SENDS_PER_PHASE);
            }
        } finally {
            senders.stop();
        }
        long sendingMillis = millis(System.nanoTime() - begin);

        List<Send> sends = senders.sends();
        List<Send> failed = sends.stream().filter(s -> s.failure() != null).toList();
        List<Send> succeeded = sends.stream().filter(s -> s.failure() == null).toList();
        Map<String, MimeMessage> delivered = awaitDelivered(succeeded);

        List<String> cns = generations.stream().map(PemClient::name).toList();
        Map<String, Integer> perCn = new TreeMap<>();
        List<String> violations = new ArrayList<>();
        int[] strictlyAfterSettle = new int[ROTATIONS + 1];
        int[][] inTransition = new int[ROTATIONS + 1][2]; // [k][0] old generation, [k][1] new, started in [swapped, settled)
        for (Send send : succeeded) {
            String cn = receivedCn(send, delivered.get(send.messageId()), violations);
            if (cn == null) {
                continue;
            }
            perCn.merge(cn, 1, Integer::sum);
            int g = cns.indexOf(cn);
            if (g < 0) {
                violations.add(send + ": delivered under CN " + cn + ", not one of the rotated certificates " + cns);
                continue;
            }
            boolean presentable = send.end() >= swapped[g] && (g == ROTATIONS || send.start() < settled[g + 1]);
            if (!presentable) {
                violations.add(send + ": delivered under " + cn + " (generation " + g + "), which this send cannot use: "
                               + window(send, swapped, settled, begin));
            }
            for (int k = 0; k <= ROTATIONS; k++) {
                boolean last = k == ROTATIONS;
                if (send.start() >= settled[k] && (last || send.end() < swapped[k + 1])) {
                    strictlyAfterSettle[k] += g == k ? 1 : 0;
                } else if (k > 0 && send.start() >= swapped[k] && send.start() < settled[k]) {
                    inTransition[k][g == k ? 1 : 0]++;
                }
            }
        }

        System.out.printf("[rotation] %d senders, %d rotations by symlink swap in %d ms: %d sends, %d succeeded, %d failed,"
                          + " %d delivered; reloadCount=%d lastReloadTime=%s lastReloadError=%s; handshakes full=%d"
                          + " resumed=%d%n", SENDERS, ROTATIONS, sendingMillis, sends.size(), succeeded.size(),
                failed.size(), delivered.size(), endpoint.getReloadCount(), endpoint.getLastReloadTime(),
                endpoint.getLastReloadError(), endpoint.getFullHandshakes(), endpoint.getResumedHandshakes());
        System.out.println("[rotation] delivered per client certificate (Received header): " + perCn);
        for (int k = 0; k <= ROTATIONS; k++) {
            System.out.printf("[rotation] %s: %s%d sent after it settled, all under it%n", cns.get(k),
                    k == 0 ? "" : String.format("swap %d at +%d ms; started before it settled: %d under %s, %d under %s; ",
                            k, millis(swapped[k] - begin), inTransition[k][0], cns.get(k - 1), inTransition[k][1], cns.get(k)),
                    strictlyAfterSettle[k]);
        }

        // No send may fail: the sends in flight at a swap finish on the connections of the old certificate, and new
        // ones get the new certificate, which is checked before it replaces the old (the rename switches the
        // certificate and the key together, so the component never sees a half-rotated pair that it would use).
        assertEquals(List.of(), failed.stream().map(Send::toString).toList(), "failed sends");
        assertEquals(List.of(), violations, "sends delivered under a certificate they could not use, or not delivered");
        for (int k = 0; k <= ROTATIONS; k++) {
            assertTrue(strictlyAfterSettle[k] >= SENDS_PER_PHASE,
                    cns.get(k) + ": only " + strictlyAfterSettle[k] + " mails sent after its swap settled");
        }
        assertEquals(ROTATIONS, endpoint.getReloadCount(), "one reload per swap");
        assertNull(endpoint.getLastReloadError());
        assertTrue(endpoint.getCertificateSubject().contains("CN=" + cns.get(ROTATIONS)), endpoint.getCertificateSubject());
    }

    /**
     * Issue #11: "CA rollover: the client holds two certificates from two client CAs, and Postfix trusts one. Switch
     * Postfix's CA file to the other CA and reload Postfix in the middle of a run. Sends continue with the other
     * certificate, with no restart and no failures beyond those in flight."
     * <p>
     * poolEnabled=false, so that every send is a new connection: a pooled connection stays with its smtpd process,
     * which keeps the configuration it started with until the client disconnects, and goes on being accepted with
     * the old certificate. The certificate is chosen, by the CA names Postfix sends, only in a full handshake; a
     * resumed TLS session keeps the certificate of the handshake that made it. What Postfix does with sessions
     * across {@code postfix reload}: the reload restarts tlsmgr, which empties Postfix's session cache, so a session
     * made before the reload is not resumed. But the smtpd processes of the old configuration that are serving a
     * client at the reload (they finish it first) store the sessions they make in the new cache, and processes of
     * the new configuration resume those - as verified, although the CA that issued the certificate is no longer
     * trusted; each resumption stores a new session, so the chain can go on. Hence two variants:
     * <ul>
     * <li>without the TLS session cache every send is a full handshake: once the switch has settled, every mail
     * arrives under rollover-b1;</li>
     * <li>with it (the default), every full handshake after the switch settled chooses rollover-b1, and mails still
     * arriving under rollover-a1 then came over resumed sessions, which Postfix accepted. They are counted.</li>
     * </ul>
     */
    @ParameterizedTest(name = "sslSessionCacheEnabled={0}")
    @ValueSource(booleans = {false, true})
    void postfixSwitchedToTheOtherClientCaMidRunGetsTheOtherCertificate(boolean sessionCache) throws Exception {
        if (!postfix.canSwitchClientCas()) {
            String why = "switching Postfix's client CA file and running 'postfix reload' needs root";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " under CI=true");
            }
            assumeTrue(false, why + " (skipping the CA rollover test)");
        }
        Set<X500Principal> casA = PostfixServer.subjects(postfix.clientCaBundle());
        Set<X500Principal> casB = PostfixServer.subjects(postfix.clientCaB());
        if (!postfix.clientCasAreTheOriginal()) { // an interrupted earlier run
            postfix.switchClientCas(postfix.clientCaBundle());
        }
        postfix.awaitAcceptableClientCas(casA, 1, PHASE_TIMEOUT_MILLIS);

        PemClient a1 = postfix.pemClient("rollover-a1");
        PemClient b1 = postfix.pemClient("rollover-b1");
        String uri = uri("certificateFile=" + a1.certificateFile() + "," + b1.certificateFile(),
                "privateKeyFile=" + a1.privateKeyFile() + "," + b1.privateKeyFile(), "poolEnabled=false",
                "sslSessionCacheEnabled=" + sessionCache);
        SmtpsCertEndpoint endpoint = context.getEndpoint(uri, SmtpsCertEndpoint.class);

        Senders senders = new Senders(uri);
        long begin = System.nanoTime();
        long switching;
        long reloaded;
        long settled;
        try {
            senders.start();
            senders.awaitSucceededSince(begin, SENDS_PER_PHASE);
            switching = System.nanoTime();
            postfix.switchClientCas(postfix.clientCaB());
            reloaded = System.nanoTime();
            postfix.awaitAcceptableClientCas(casB, 3, PHASE_TIMEOUT_MILLIS);
            Thread.sleep(RELOAD_SETTLE_MILLIS);
            settled = System.nanoTime();
            senders.awaitSucceededSince(settled, SENDS_PER_PHASE);
        } finally {
            senders.stop();
            postfix.switchClientCas(postfix.clientCaBundle()); // the other ITs need the original CA file
            postfix.awaitAcceptableClientCas(casA, 3, PHASE_TIMEOUT_MILLIS);
        }

        List<Send> sends = senders.sends();
        List<Send> failed = sends.stream().filter(s -> s.failure() != null).toList();
        List<Send> succeeded = sends.stream().filter(s -> s.failure() == null).toList();
        Map<String, MimeMessage> delivered = awaitDelivered(succeeded);

        List<String> violations = new ArrayList<>();
        Map<String, Integer> before = new TreeMap<>();
        Map<String, Integer> during = new TreeMap<>();
        Map<String, Integer> after = new TreeMap<>();
        int a1ResumedAfterSettle = 0;
        int b1AfterSwitch = 0;
        for (Send send : succeeded) {
            String cn = receivedCn(send, delivered.get(send.messageId()), violations);
            if (cn == null) {
                continue;
            }
            boolean resumed = Boolean.TRUE.equals(send.resumed());
            if (!sessionCache && resumed) {
                violations.add(send + ": resumed a TLS session although sslSessionCacheEnabled=false");
            }
            if (!cn.equals(a1.name()) && !cn.equals(b1.name())) {
                violations.add(send + ": delivered under " + cn);
            }
            String key = cn + (resumed ? " resumed" : " full");
            if (send.end() < switching) {
                before.merge(key, 1, Integer::sum);
                if (!cn.equals(a1.name())) {
                    violations.add(send + ": delivered under " + cn + " before the switch, while Postfix trusted CA A only");
                }
            } else if (send.start() < settled) {
                during.merge(key, 1, Integer::sum);
            } else {
                after.merge(key, 1, Integer::sum);
                if (cn.equals(a1.name()) && resumed) {
                    a1ResumedAfterSettle++; // Postfix resumed a session an smtpd of the old configuration made
                } else if (!cn.equals(b1.name())) {
                    violations.add(send + ": delivered under " + cn + " in a full handshake after Postfix's switch to CA B"
                                   + " settled");
                }
            }
            if (send.start() >= switching && cn.equals(b1.name())) {
                b1AfterSwitch++;
            }
        }

        System.out.printf("[rollover sslSessionCacheEnabled=%s] %d senders, poolEnabled=false: %d sends, %d succeeded,"
                          + " %d failed, %d delivered; CA file switched to B at +%d ms, reload command done at +%d ms,"
                          + " settled at +%d ms; reloadCount=%d; handshakes full=%d resumed=%d%n", sessionCache, SENDERS,
                sends.size(), succeeded.size(), failed.size(), delivered.size(), millis(switching - begin),
                millis(reloaded - begin), millis(settled - begin), endpoint.getReloadCount(),
                endpoint.getFullHandshakes(), endpoint.getResumedHandshakes());
        System.out.printf("[rollover sslSessionCacheEnabled=%s] delivered under (Received header, TLS session) - done"
                          + " before the switch: %s; started before it settled: %s; started after: %s; of these,"
                          + " rollover-a1 over sessions Postfix resumed: %d%n", sessionCache, before, during, after,
                a1ResumedAfterSettle);
        failed.forEach(s -> System.out.println("[rollover] failed: " + s));

        // Only sends in flight while Postfix switched may fail - at most one per sender - and none after it settled.
        // (None is expected: a connection that an smtpd of the old configuration serves gets rollover-a1 and is
        // accepted; one that a new smtpd serves gets rollover-b1, chosen from the CA names it sends.)
        List<Send> lateFailures = failed.stream().filter(s -> s.start() >= settled).toList();
        assertEquals(List.of(), lateFailures.stream().map(Send::toString).toList(), "failures after the switch settled");
        assertTrue(failed.size() <= SENDERS, failed.size() + " sends failed, more than the " + SENDERS + " in flight");
        assertEquals(List.of(), violations);
        if (!sessionCache) {
            assertEquals(0, a1ResumedAfterSettle);
            assertTrue(after.getOrDefault(b1.name() + " full", 0) >= SENDS_PER_PHASE, after.toString());
        }
        assertTrue(b1AfterSwitch > 0, "no mail under rollover-b1 after the switch");
        assertEquals(0, endpoint.getReloadCount(), "the client's material did not change: no reload, no restart");
    }

    // --- helpers ---

    /** One send: nanoTime before and after it, what the component reports, and its failure if any. */
    record Send(int sender, int seq, long start, long end, String presented, String messageId, Boolean resumed,
                Exception failure) {

        @Override
        public String toString() {
            return "send " + sender + "." + seq + (failure == null ? " presented " + presented + (Boolean.TRUE.equals(resumed) ? " (resumed)" : "")
                                                   : " failed: " + failure);
        }
    }

    /** Sender threads that send one message after another until stopped, a count or a time limit is reached. */
    private final class Senders {
        private final String uri;
        private final ConcurrentLinkedQueue<Send> sends = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicInteger running = new AtomicInteger();
        private final List<Thread> threads = new ArrayList<>();
        private long deadline;

        Senders(String uri) {
            this.uri = uri;
        }

        void start() {
            deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_LIMIT_MILLIS);
            for (int t = 0; t < SENDERS; t++) {
                int sender = t;
                Thread thread = new Thread(() -> run(sender), "rotation-sender-" + t);
                thread.setDaemon(true);
                threads.add(thread);
                running.incrementAndGet();
                thread.start();
            }
        }

        private void run(int sender) {
            try {
                for (int seq = 0; seq < MAX_SENDS_PER_SENDER && !stop.get() && System.nanoTime() < deadline; seq++) {
                    String body = "sender " + sender + " message " + seq;
                    long start = System.nanoTime();
                    Exchange exchange = template.send(uri, e -> e.getMessage().setBody(body));
                    long end = System.nanoTime();
                    sends.add(new Send(sender, seq, start, end,
                            exchange.getMessage().getHeader(SmtpsCertConstants.CLIENT_CERTIFICATE, String.class),
                            exchange.getMessage().getHeader(SmtpsCertConstants.MESSAGE_ID, String.class),
                            exchange.getMessage().getHeader(SmtpsCertConstants.SESSION_RESUMED, Boolean.class),
                            exchange.getException()));
                    Thread.sleep(PACE_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.decrementAndGet();
            }
        }

        /** Waits until {@code count} sends that started at or after {@code since} have succeeded. */
        void awaitSucceededSince(long since, int count) throws InterruptedException {
            long timeout = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PHASE_TIMEOUT_MILLIS);
            Predicate<Send> counted = s -> s.failure() == null && s.start() >= since;
            while (sends.stream().filter(counted).count() < count) {
                if (System.nanoTime() > timeout || running.get() == 0) {
                    fail("only " + sends.stream().filter(counted).count() + " of " + count + " sends succeeded within "
                         + PHASE_TIMEOUT_MILLIS + " ms" + (running.get() == 0 ? " (the senders reached their limits)" : "")
                         + "; failures: " + sends.stream().filter(s -> s.failure() != null).limit(5).toList());
                }
                Thread.sleep(20);
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(30_000);
                assertTrue(!thread.isAlive(), thread.getName() + " still sending 30 s after stop");
            }
        }

        List<Send> sends() {
            List<Send> all = new ArrayList<>(sends);
            all.sort(Comparator.comparingLong(Send::start));
            return all;
        }
    }

    /**
     * A directory laid out as Kubernetes mounts a Secret: the files in a timestamped directory {@code ..2026_...},
     * the symlink {@code ..data} to it, and {@code tls.crt -> ..data/tls.crt}, {@code tls.key -> ..data/tls.key}.
     */
    private static final class SecretDir {
        private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss");
        private final Path dir;
        private Path current;
        private int version;

        SecretDir(Path dir, PemClient first) throws IOException {
            this.dir = Files.createDirectories(dir);
            current = writeVersion(first);
            Files.createSymbolicLink(dir.resolve("..data"), current.getFileName());
            Files.createSymbolicLink(certificateFile(), Path.of("..data", "tls.crt"));
            Files.createSymbolicLink(privateKeyFile(), Path.of("..data", "tls.key"));
        }

        Path certificateFile() {
            return dir.resolve("tls.crt");
        }

        Path privateKeyFile() {
            return dir.resolve("tls.key");
        }

        /**
         * The kubelet's update: the new files into a new timestamped directory, a temporary symlink to it renamed
         * over {@code ..data} (one atomic step switches both files), the old directory deleted. Returns
         * System.nanoTime() just before the rename.
         */
        long swapTo(PemClient next) throws IOException {
            Path fresh = writeVersion(next);
            Path link = dir.resolve("..data_tmp");
            Files.createSymbolicLink(link, fresh.getFileName());
            long before = System.nanoTime();
            Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
            try (Stream<Path> old = Files.list(current)) {
                for (Path file : old.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(current);
            current = fresh;
            return before;
        }

        private Path writeVersion(PemClient client) throws IOException {
            Path version = dir.resolve(".." + LocalDateTime.now().format(STAMP) + "." + ++this.version);
            Files.createDirectory(version);
            Files.copy(client.certificateFile(), version.resolve("tls.crt"));
            Files.copy(client.privateKeyFile(), version.resolve("tls.key"));
            return version;
        }
    }

    private String uri(String... options) {
        StringBuilder uri = new StringBuilder("smtps-cert:").append(postfix.host()).append(':').append(postfix.smtpsPort())
                .append("?from=it@smtpscert.test&to=").append(postfix.recipient()).append("&subject=").append(marker)
                .append("&trustCertificates=").append(postfix.trustPem());
        for (String option : options) {
            uri.append('&').append(option);
        }
        return uri.toString();
    }

    private static void awaitReloadCount(SmtpsCertEndpoint endpoint, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RELOAD_TIMEOUT_MILLIS);
        while (endpoint.getReloadCount() < count) {
            if (System.nanoTime() > deadline) {
                fail("reloadCount still " + endpoint.getReloadCount() + " " + RELOAD_TIMEOUT_MILLIS
                     + " ms after swap " + count + "; lastReloadError=" + endpoint.getLastReloadError());
            }
            Thread.sleep(10);
        }
        assertEquals(count, endpoint.getReloadCount(), "reloads after swap " + count);
    }

    /** Waits until every successful send is in the Maildir; returns the delivered messages by Message-ID. */
    private Map<String, MimeMessage> awaitDelivered(List<Send> succeeded) throws Exception {
        Map<String, MimeMessage> byMessageId = new HashMap<>();
        for (MimeMessage message : postfix.awaitMessages(marker, succeeded.size())) {
            byMessageId.put(message.getMessageID(), message);
        }
        return byMessageId;
    }

    /**
     * The CN Postfix verified for the send's mail; records a violation (and returns null) when the mail is missing,
     * Postfix did not verify a client certificate, or the component reported another certificate than Postfix saw.
     */
    private static String receivedCn(Send send, MimeMessage message, List<String> violations) throws Exception {
        assertNotNull(send.messageId(), () -> send + ": no " + SmtpsCertConstants.MESSAGE_ID + " header");
        if (message == null) {
            violations.add(send + ": not delivered (Message-ID " + send.messageId() + ")");
            return null;
        }
        ReceivedClient client = PostfixServer.receivedClient(message);
        if (client == null || !client.verified()) {
            violations.add(send + ": Postfix's Received header shows no verified client certificate: " + client);
            return null;
        }
        String presented = cn(send.presented());
        if (!client.cn().equals(presented)) {
            violations.add(send + ": the component reports CN " + presented + ", Postfix verified CN " + client.cn());
        }
        return client.cn();
    }

    private static String cn(String dn) {
        if (dn == null) {
            return null;
        }
        Matcher m = CN.matcher(dn);
        return m.find() ? m.group(1) : dn;
    }

    private static String window(Send send, long[] swapped, long[] settled, long begin) {
        StringBuilder text = new StringBuilder("sent from +").append(millis(send.start() - begin)).append(" to +")
                .append(millis(send.end() - begin)).append(" ms; swaps at");
        for (int k = 1; k < swapped.length; k++) {
            text.append(" +").append(millis(swapped[k] - begin)).append(" (settled +").append(millis(settled[k] - begin))
                    .append(')');
        }
        return text.toString();
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
