package io.github.smtpscert.examples.outbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * Runs the outbox at scale against the local Postfix of {@code .ci/postfix-setup.sh}: a broker JVM, consumer JVMs
 * ({@link OutboxApp}), mail put on the outbox by this process, then counts from the Maildir and the broker.
 * <ul>
 * <li>{@code crash}: 3 consumers, one killed with {@code kill -9} half-way and started again; asserts that nothing was
 * lost, that rejected mail is in the dead letters, that duplicates keep their Message-ID and are no more than the
 * killed JVM could have had in flight, and that each mail came under the identity it asked for.</li>
 * <li>{@code throughput}: messages/s and CPU with 1, 2 and 3 consumer JVMs.</li>
 * </ul>
 * Every wait is bounded. Exit code 0 when every check passed.
 */
public final class CrashTest {

    private static final String BROKER_URL = "tcp://127.0.0.1:61626";
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final Map<String, String> options;
    private final Properties postfix = new Properties();
    private final Path work = Path.of("target/crash-test");
    private final int concurrentConsumers;
    private final List<Consumer> consumers = new ArrayList<>();
    private Process broker;
    private ActiveMQConnectionFactory factory;
    private boolean failed;

    /** One consumer JVM and the file it reports its counts in. */
    private record Consumer(String name, Process process, Path status) {
        long[] counts() {
            try {
                String line = Files.readString(status).trim(); // sent=N inflight=M
                String[] parts = line.split("[ =]");
                return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[3])};
            } catch (IOException | RuntimeException e) {
                return new long[] {0, 0};
            }
        }
    }

    private CrashTest(Map<String, String> options) throws IOException {
        this.options = options;
        this.concurrentConsumers = Integer.parseInt(options.getOrDefault("concurrent-consumers", "4"));
        String dir = System.getenv().getOrDefault("SMTPSCERT_POSTFIX_DIR", "/tmp/smtpscert-postfix");
        try (InputStream in = Files.newInputStream(Path.of(dir, "postfix-it.properties"))) {
            postfix.load(in);
        }
    }

    /** --mode crash|throughput --messages N --instances 3 (crash) or 1,2,3 (throughput) --rejected-every 50 */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        CrashTest test = new CrashTest(options);
        try {
            test.startBroker();
            if ("throughput".equals(options.getOrDefault("mode", "crash"))) {
                test.throughput();
            } else {
                test.crash();
            }
        } finally {
            test.stopAll();
        }
        System.out.println(test.failed ? "RESULT: FAIL" : "RESULT: PASS");
        System.exit(test.failed ? 1 : 0);
    }

    // ---- the crash test ----

    private void crash() throws Exception {
        int total = Integer.parseInt(options.getOrDefault("messages", "30000"));
        int instances = Integer.parseInt(options.getOrDefault("instances", "3"));
        int rejectedEvery = Integer.parseInt(options.getOrDefault("rejected-every", "50"));
        String runId = "crash-" + System.currentTimeMillis();
        for (int i = 1; i <= instances; i++) {
            startConsumer("consumer-" + i);
        }
        Set<Integer> rejected = new TreeSet<>();
        List<Enqueue.Mail> mails = new ArrayList<>();
        for (int seq = 1; seq <= total; seq++) {
            String identity = seq % 2 == 0 ? "bob" : "alice";
            boolean reject = seq % rejectedEvery == 0;
            if (reject) {
                rejected.add(seq);
            }
            mails.add(new Enqueue.Mail(reject ? "rejected@localhost" : postfix.getProperty("recipient"),
                    Maildir.subject(runId, seq, identity), identity, "outbox crash test mail " + seq + "\n"));
        }
        long start = System.nanoTime();
        List<String> brokerIds = Enqueue.send(factory, mails);
        System.out.printf("enqueued %d mails (%d to rejected@localhost) in %.1f s%n", total, rejected.size(),
                seconds(start));

        // kill -9 one consumer half-way, then start it again
        Consumer victim = consumers.get(1);
        await("half of the mails sent", 600, () -> sentSoFar() >= total / 2);
        long inflightSeen = victim.counts()[1];
        long sentBeforeKill = sentSoFar();
        run("kill", "-9", String.valueOf(victim.process().pid()));
        await(victim.name() + " to die", 30, () -> !victim.process().isAlive());
        System.out.printf("killed %s (pid %d) with kill -9 after %d mails sent in all; its last report: %d exchanges "
                          + "in flight (at most %d: one per JMS session)%n", victim.name(), victim.process().pid(),
                sentBeforeKill, inflightSeen, concurrentConsumers);
        Thread.sleep(2000);
        startConsumer(victim.name() + "-restarted");

        await("the outbox to drain", 900, () -> outboxLeft() == 0);
        double elapsed = seconds(start);
        long left = outboxLeft();
        stopConsumers();

        List<Map<String, Object>> dead = Queues.browse(factory, OutboxBroker.DEAD_LETTER);
        List<Map<String, Object>> parked = Queues.browse(factory, OutboxBroker.PARKED);
        Maildir maildir = new Maildir(Path.of(postfix.getProperty("maildir")), runId);
        int expected = total - rejected.size();
        List<Maildir.Delivered> delivered = awaitDeliveries(maildir, expected);

        // ---- counts ----
        Map<Integer, List<Maildir.Delivered>> bySeq = delivered.stream()
                .collect(Collectors.groupingBy(Maildir.Delivered::seq, TreeMap::new, Collectors.toList()));
        Set<Integer> missing = new TreeSet<>();
        for (int seq = 1; seq <= total; seq++) {
            if (!rejected.contains(seq) && !bySeq.containsKey(seq)) {
                missing.add(seq);
            }
        }
        Set<Integer> deadSeqs = new TreeSet<>();
        int deadWithReason = 0;
        for (Map<String, Object> d : dead) {
            deadSeqs.add(seqOf(String.valueOf(d.get("Subject"))));
            Object reason = d.get(OutboxRoute.FAILURE);
            if (reason != null && reason.toString().contains("rejected@localhost")
                && "550".equals(String.valueOf(d.get(OutboxRoute.REPLY_CODE)))) {
                deadWithReason++;
            }
        }
        int duplicates = delivered.size() - bySeq.size();
        int duplicatesWithOtherId = 0;
        int wrongMessageId = 0;
        int wrongIdentity = 0;
        for (Map.Entry<Integer, List<Maildir.Delivered>> e : bySeq.entrySet()) {
            String expectedId = "<" + brokerIds.get(e.getKey() - 1).substring(3) + "@outbox.smtpscert.test>";
            Set<String> ids = new HashSet<>();
            for (Maildir.Delivered d : e.getValue()) {
                ids.add(d.messageId());
                if (!expectedId.equals(d.messageId())) {
                    wrongMessageId++;
                }
                if (!d.identity().equals(d.clientCn())) {
                    wrongIdentity++;
                }
            }
            if (ids.size() > 1) {
                duplicatesWithOtherId++;
            }
        }
        int rejectedDelivered = (int) rejected.stream().filter(bySeq::containsKey).count();

        System.out.printf("%nafter %.1f s (%.0f mails/s enqueued to drained, 3 consumer JVMs x %d JMS sessions):%n",
                elapsed, total / elapsed, concurrentConsumers);
        System.out.printf("  enqueued           %6d  (%d for Postfix to accept, %d to rejected@localhost)%n", total,
                expected, rejected.size());
        System.out.printf("  left in outbox     %6d%n", left);
        System.out.printf("  Maildir files      %6d  (%d distinct mails, %d duplicates)%n", delivered.size(),
                bySeq.size(), duplicates);
        System.out.printf("  dead letters       %6d  (%d with reason and reply code 550)%n", dead.size(),
                deadWithReason);
        System.out.printf("  parked             %6d%n", parked.size());
        System.out.printf("  by identity        alice %d, bob %d (files)%n",
                delivered.stream().filter(d -> "alice".equals(d.clientCn())).count(),
                delivered.stream().filter(d -> "bob".equals(d.clientCn())).count());
        check(missing.isEmpty(), "every mail not rejected was delivered at least once (missing: " + first(missing)
                                 + ")");
        check(rejectedDelivered == 0, "no rejected mail was delivered (" + rejectedDelivered + ")");
        check(deadSeqs.equals(rejected) && dead.size() == rejected.size(),
                "every rejected mail is in " + OutboxBroker.DEAD_LETTER + ", once, and nothing else is (dead letters: "
                + dead.size() + ", rejected: " + rejected.size() + ")");
        check(deadWithReason == dead.size(), "every dead letter carries its reason and reply code");
        check(duplicatesWithOtherId == 0 && wrongMessageId == 0,
                "every copy has the Message-ID of its broker message (" + wrongMessageId + " wrong, "
                + duplicatesWithOtherId + " mails with copies of other ids)");
        check(duplicates <= concurrentConsumers, "duplicates (" + duplicates + ") <= exchanges the killed JVM could "
                + "have in flight (" + concurrentConsumers + " JMS sessions; it last reported " + inflightSeen + ")");
        check(wrongIdentity == 0, "every mail arrived under the identity it asked for (" + wrongIdentity + " not)");
        check(left == 0, "the outbox is empty");
        maildir.deleteRun();
    }

    // ---- throughput ----

    private void throughput() throws Exception {
        int total = Integer.parseInt(options.getOrDefault("messages", "6000"));
        List<String> rows = new ArrayList<>();
        for (String n : options.getOrDefault("instances", "1,2,3").split(",")) {
            int instances = Integer.parseInt(n.trim());
            String runId = "throughput-" + instances + "-" + System.currentTimeMillis();
            for (int i = 1; i <= instances; i++) {
                startConsumer("tp" + instances + "-consumer-" + i);
            }
            List<Enqueue.Mail> mails = new ArrayList<>();
            for (int seq = 1; seq <= total; seq++) {
                String identity = seq % 2 == 0 ? "bob" : "alice";
                mails.add(new Enqueue.Mail(postfix.getProperty("recipient"), Maildir.subject(runId, seq, identity),
                        identity, "outbox throughput mail " + seq + "\n"));
            }
            Cpu before = Cpu.sample(broker, consumers);
            long start = System.nanoTime();
            Enqueue.send(factory, mails);
            await("the outbox to drain", 900, () -> outboxLeft() == 0);
            double elapsed = seconds(start);
            Cpu after = Cpu.sample(broker, consumers);
            stopConsumers();
            Maildir maildir = new Maildir(Path.of(postfix.getProperty("maildir")), runId);
            int arrived = awaitDeliveries(maildir, total).size();
            maildir.deleteRun();
            String row = String.format("| %d | %d | %.1f | %.0f | %s |", instances, total, elapsed, total / elapsed,
                    after.usage(before));
            rows.add(row);
            System.out.println(row);
            check(arrived >= total, instances + " instance(s): all " + total + " mails arrived (" + arrived + ")");
        }
        System.out.println("\nCPU in % of the 2 cores; Postfix counts all its processes, whoever their client;"
                           + " other = the rest of the machine");
        System.out.println("| instances | mails | seconds | mails/s | CPU all | broker | consumers | driver | Postfix"
                           + " | other |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    /** CPU ticks of the machine, of our processes and of Postfix (its master, its live children and dead ones). */
    private record Cpu(long nanos, long busy, long broker, long consumers, long driver, long postfixTicks) {
        static Cpu sample(Process broker, List<Consumer> consumers) throws IOException {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < cpu.length; i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(cpu[i]);
                }
            }
            long all = 0;
            for (Consumer c : consumers) {
                all += ticks(c.process().pid(), false);
            }
            return new Cpu(System.nanoTime(), busy, ticks(broker.pid(), false), all,
                    ticks(ProcessHandle.current().pid(), false), postfix());
        }

        /** The master's own and its waited-for children's time, plus its live children's. */
        private static long postfix() throws IOException {
            long master = Long.parseLong(Files.readString(Path.of("/var/spool/postfix/pid/master.pid")).trim());
            long sum = ticks(master, true);
            for (ProcessHandle child : ProcessHandle.of(master).map(p -> p.children().toList()).orElse(List.of())) {
                try {
                    sum += ticks(child.pid(), false);
                } catch (IOException e) {
                    // exited meanwhile: now in the master's children time
                }
            }
            return sum;
        }

        private static long ticks(long pid, boolean withChildren) throws IOException {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long own = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
            return withChildren ? own + Long.parseLong(f[13]) + Long.parseLong(f[14]) : own; // cutime, cstime
        }

        String usage(Cpu before) {
            double ticks = (nanos - before.nanos) / 1e9 * TICKS_PER_SECOND * 2; // 2 cores
            long all = busy - before.busy;
            long b = broker - before.broker;
            long c = consumers - before.consumers;
            long d = driver - before.driver;
            long p = postfixTicks - before.postfixTicks;
            return String.format("%.0f | %.0f | %.0f | %.0f | %.0f | %.0f", 100 * all / ticks, 100 * b / ticks,
                    100 * c / ticks, 100 * d / ticks, 100 * p / ticks, 100 * (all - b - c - d - p) / ticks);
        }
    }

    // ---- processes ----

    private void startBroker() throws Exception {
        deleteTree(work);
        Files.createDirectories(work);
        broker = java("broker", OutboxBroker.class.getName(), List.of(), work.resolve("broker").toString(), BROKER_URL);
        await("the broker to start", 120, () -> log("broker").contains("outbox broker ready"));
        factory = new ActiveMQConnectionFactory(BROKER_URL);
    }

    private void startConsumer(String name) throws Exception {
        Path status = work.resolve(name + ".status");
        List<String> properties = List.of("-Doutbox.broker-url=" + BROKER_URL, "-Doutbox.status-file=" + status,
                "-Doutbox.concurrent-consumers=" + concurrentConsumers,
                "-Dsmtp.host=" + postfix.getProperty("host"), "-Dsmtp.port=" + postfix.getProperty("smtpsPort"),
                "-Dtrust.certificates=" + postfix.getProperty("trustPem"),
                "-Dclient.key-store=" + options.getOrDefault("key-store", "target/identities.p12"));
        Consumer consumer = new Consumer(name, java(name, OutboxApp.class.getName(), properties), status);
        consumers.add(consumer);
        await(name + " to start", 120, () -> Files.exists(status) || !consumer.process().isAlive());
        if (!consumer.process().isAlive()) {
            throw new IllegalStateException(name + " exited at start; see " + work.resolve(name + ".log"));
        }
    }

    private Process java(String name, String mainClass, List<String> properties, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.addAll(properties);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile()).start();
    }

    private void stopConsumers() throws Exception {
        for (Consumer c : consumers) {
            c.process().destroy(); // SIGTERM: Camel stops gracefully
        }
        for (Consumer c : consumers) {
            if (!c.process().waitFor(60, TimeUnit.SECONDS)) {
                c.process().destroyForcibly();
            }
        }
        consumers.clear();
    }

    private void stopAll() throws Exception {
        stopConsumers();
        if (factory != null) {
            factory.close();
        }
        if (broker != null) {
            broker.destroy();
            if (!broker.waitFor(60, TimeUnit.SECONDS)) {
                broker.destroyForcibly();
            }
        }
    }

    // ---- helpers ----

    private long sentSoFar() {
        return consumers.stream().mapToLong(c -> c.counts()[0]).sum();
    }

    private long outboxLeft() {
        try {
            return Queues.messageCount(factory, OutboxBroker.OUTBOX);
        } catch (Exception e) {
            return -1;
        }
    }

    /** Waits until Postfix has delivered `expected` of this run's mails, or nothing more came for 30 s. */
    private List<Maildir.Delivered> awaitDeliveries(Maildir maildir, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        int last = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int distinct = (int) maildir.scan().stream().map(Maildir.Delivered::seq).distinct().count();
            if (distinct != last) {
                last = distinct;
                lastChange = System.nanoTime();
            }
            // a little longer after the last expected one, for late duplicates
            if (distinct >= expected && seconds(lastChange) > 3 || seconds(lastChange) > 30) {
                break;
            }
            Thread.sleep(500);
        }
        return maildir.scan();
    }

    private void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gave up waiting " + seconds + " s for " + what + "; logs in " + work);
            }
            Thread.sleep(100);
        }
    }

    private void check(boolean ok, String what) {
        System.out.println((ok ? "PASS " : "FAIL ") + what);
        failed |= !ok;
    }

    private String log(String name) {
        try {
            return Files.readString(work.resolve(name + ".log"));
        } catch (IOException e) {
            return "";
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }

    private static int seqOf(String subject) {
        String[] words = subject.split(" ");
        return Integer.parseInt(words[4]);
    }

    private static String first(Set<Integer> seqs) {
        return seqs.size() <= 10 ? seqs.toString() : seqs.stream().limit(10).toList() + " and " + (seqs.size() - 10)
                                                     + " more";
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted((a, b) -> b.compareTo(a)).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
