package io.github.smtpscert;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 8 concurrent senders against the client-certificate-requiring test server, two identities mixed per message:
 * senders 0-3 pick the alice or bob endpoint, senders 4-7 one endpoint with a two-entry key store and the
 * CamelSmtpsCertKeyAlias header. Checks exactly-once delivery, the identity of every message, that nothing is left
 * open after the context stops, and that the client's heap does not grow with the message count.
 * Message count per sender: system property {@code smtpscert.load.messagesPerSender} (default 5000).
 */
class LoadTest {

    private static final int SENDERS = 8;
    private static final String[] IDENTITIES = {"alice", "bob"};
    // ~100 bytes: the test server keeps every message, so the body is kept tiny (see the heap check)
    private static final String BODY = "x".repeat(100);
    // client-side heap growth (server's share subtracted) from the checkpoint to the end; a leak of even 2 KB per
    // message would exceed it at the default 40,000 messages, normal churn stays far below
    private static final long CLIENT_HEAP_GROWTH_LIMIT = 64L * 1024 * 1024;
    private static final long BOUNDED_WAIT_MILLIS = 30_000;
    // threads the JVM may start on its own at any time; GreenMail's per-connection threads are named "smtps:..."
    private static final List<String> ALLOWED_NEW_THREAD_PREFIXES = List.of(
            "smtps:", "ForkJoinPool.commonPool-worker", "Attach Listener", "process reaper", "JFR", "Common-Cleaner");

    /** Heap samples (bytes) and server figures of one run. */
    private record Run(double seconds, long heapAtCheckpoint, long heapAfterRun, long heapAfterStop,
                       int connections, int fullHandshakes, int resumedHandshakes) {
    }

    @Test
    void manyConcurrentMessagesWithTwoIdentities() throws Exception {
        int perSender = Integer.getInteger("smtpscert.load.messagesPerSender", 5000);
        int total = SENDERS * perSender;
        // heap is sampled when every sender has sent a tenth (4,000 messages at the default)
        int checkpointPerSender = Math.max(1, perSender / 10);

        AtomicReference<MtlsFixture> fixture = new AtomicReference<>(new MtlsFixture());
        Run run;
        try {
            run = sendAndCheck(fixture.get(), perSender, checkpointPerSender);
        } finally {
            fixture.get().close();
        }

        // The server keeps every message (its deliveries() and GreenMail's mailbox), so heap samples taken while it
        // runs include them. Its share is measured at the end: heap with the server's messages, minus heap once it
        // is closed and unreachable. That share grows linearly with messages, so client-side growth between the
        // checkpoint and the end = raw growth - server share * (messages after checkpoint / total).
        fixture.set(null);
        long heapWithoutServer = usedHeapAfterGc();
        long serverShare = Math.max(0, run.heapAfterStop() - heapWithoutServer);
        int atCheckpoint = SENDERS * checkpointPerSender;
        long clientGrowth = run.heapAfterRun() - run.heapAtCheckpoint() - serverShare * (total - atCheckpoint) / total;

        System.out.printf("LoadTest: messages=%d seconds=%.1f messages/s=%.0f heapMB(at %d)=%.1f heapMB(at %d)=%.1f"
                          + " serverHeldMB=%.1f clientGrowthMB=%.1f connections=%d fullHandshakes=%d"
                          + " resumedHandshakes=%d%n",
                total, run.seconds(), total / run.seconds(), atCheckpoint, mb(run.heapAtCheckpoint()), total,
                mb(run.heapAfterRun()), mb(serverShare), mb(clientGrowth), run.connections(), run.fullHandshakes(),
                run.resumedHandshakes());

        assertTrue(clientGrowth < CLIENT_HEAP_GROWTH_LIMIT, "client heap grew by " + mb(clientGrowth) + " MB between "
                + atCheckpoint + " and " + total + " messages (limit 64 MB)");
    }

    private Run sendAndCheck(MtlsFixture f, int perSender, int checkpointPerSender) throws Exception {
        int total = SENDERS * perSender;
        Path bothP12 = TestPki.writeKeyStore(f.dir.resolve("both.p12"), "PKCS12", MtlsFixture.PW.toCharArray(),
                Map.of("alice", f.alice, "bob", f.bob));
        Map<String, String> fingerprints = Map.of("alice", f.alice.sha256Hex(), "bob", f.bob.sha256Hex());
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();

        String pw = "&keyStorePassword=" + MtlsFixture.PW + "&useHeaderSubject=true";
        CamelContext context = MtlsFixture.context();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:alice").to(f.uri("keyStore=" + f.aliceP12 + pw));
                from("direct:bob").to(f.uri("keyStore=" + f.bobP12 + pw));
                from("direct:byHeader").to(f.uri("keyStore=" + bothP12 + pw + "&allowIdentityFromHeader=true"));
            }
        });

        long[] heapAtCheckpoint = new long[1];
        CyclicBarrier checkpoint = new CyclicBarrier(SENDERS, () -> heapAtCheckpoint[0] = usedHeapAfterGc());
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger senderThreads = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS,
                r -> new Thread(r, "load-sender-" + senderThreads.getAndIncrement()));
        ProducerTemplate template = context.createProducerTemplate();

        double seconds;
        long heapAfterRun;
        try {
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                done.add(senders.submit(() -> {
                    Random random = new Random(sender); // reproducible mix of identities
                    for (int n = 0; n < perSender; n++) {
                        if (n == checkpointPerSender) {
                            checkpoint.await(10, TimeUnit.MINUTES);
                        }
                        String identity = IDENTITIES[random.nextInt(2)];
                        String subject = "load " + sender + "-" + n + " " + identity;
                        Exchange result = sender < 4
                                ? template.send("direct:" + identity, e -> {
                                    e.getMessage().setHeader("Subject", subject);
                                    e.getMessage().setBody(BODY);
                                })
                                : template.send("direct:byHeader", e -> {
                                    e.getMessage().setHeader("Subject", subject);
                                    e.getMessage().setHeader(SmtpsCertConstants.KEY_ALIAS, identity);
                                    e.getMessage().setBody(BODY);
                                });
                        if (result.getException() != null) {
                            failures.add(subject + ": " + result.getException());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
            seconds = (System.nanoTime() - start) / 1e9;
            heapAfterRun = usedHeapAfterGc();
        } finally {
            senders.shutdownNow();
            context.close();
        }
        assertTrue(senders.awaitTermination(BOUNDED_WAIT_MILLIS, TimeUnit.MILLISECONDS), "sender threads did not end");

        assertTrue(failures.isEmpty(), failures.size() + " sends failed, e.g. " + failures.peek());

        // exactly once, each with the identity chosen for it
        List<MtlsSmtpServer.Delivery> deliveries = f.server.deliveries();
        Map<String, Integer> timesDelivered = new HashMap<>();
        List<String> wrongIdentity = new ArrayList<>();
        for (MtlsSmtpServer.Delivery delivery : deliveries) {
            String[] parts = delivery.message().getSubject().split(" ");
            timesDelivered.merge(parts[1], 1, Integer::sum);
            if (!fingerprints.get(parts[2]).equals(delivery.clientCertSha256Hex())) {
                wrongIdentity.add(delivery.message().getSubject() + " arrived as " + delivery.clientSubjectDn());
            }
        }
        List<String> duplicates = timesDelivered.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey).sorted().collect(Collectors.toList());
        int missing = 0;
        for (int s = 0; s < SENDERS; s++) {
            for (int n = 0; n < perSender; n++) {
                if (!timesDelivered.containsKey(s + "-" + n)) {
                    missing++;
                }
            }
        }
        assertEquals(List.of(), duplicates, "delivered more than once");
        assertEquals(0, missing, "messages never delivered");
        assertEquals(total, deliveries.size());
        assertEquals(List.of(), wrongIdentity.subList(0, Math.min(10, wrongIdentity.size())),
                wrongIdentity.size() + " messages with the wrong client certificate");
        int connections = f.server.connectionCount();
        int full = f.server.fullHandshakes();
        int resumed = f.server.resumedHandshakes();

        // nothing left open once the context has stopped (QUIT sent, scheduler and sender threads ended)
        assertTrue(awaitCondition(() -> f.server.openConnections() == 0),
                f.server.openConnections() + " connections still open at the server after the context stopped");
        assertTrue(awaitCondition(() -> newThreads(threadsBefore).isEmpty()),
                "threads left after the context stopped: " + newThreads(threadsBefore));

        return new Run(seconds, heapAtCheckpoint[0], heapAfterRun, usedHeapAfterGc(), connections, full, resumed);
    }

    private static List<String> newThreads(Set<Thread> before) {
        List<String> names = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && !before.contains(thread)
                    && ALLOWED_NEW_THREAD_PREFIXES.stream().noneMatch(thread.getName()::startsWith)) {
                names.add(thread.getName());
            }
        }
        Collections.sort(names);
        return names;
    }

    private static boolean awaitCondition(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + BOUNDED_WAIT_MILLIS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /**
     * Used heap after full collections. Objects with finalizers (e.g. from the JDK's socket and TLS classes) keep what
     * they reference for one more collection, so finalization is run between collections.
     */
    @SuppressWarnings({"deprecation", "removal"}) // runFinalization: still the way to drain finalizers on Java 17
    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            System.runFinalization();
        }
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
