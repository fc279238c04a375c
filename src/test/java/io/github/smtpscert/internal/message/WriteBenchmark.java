package io.github.smtpscert.internal.message;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.mail.Message.RecipientType;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * CPU per message of building and writing the benchmark's 1 KB text message, without a network: as a plain
 * MimeMessage (Jakarta Mail's writeTo, two StreamProvider lookups per message) and as the component builds it
 * (SessionStreamMimeMessage, the Session's provider), at 1 and 4 threads. No JMH: a warm-up, then rounds of
 * alternating variants, and the median round of each. Run: see docs/decisions.md.
 */
public final class WriteBenchmark {

    private static final String BODY = "x".repeat(1000) + "\n";
    private static final OutputStream NOWHERE = OutputStream.nullOutputStream();

    private WriteBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int rounds = 5;
        Session session = Session.getInstance(new Properties());
        System.out.printf(Locale.ROOT, "%d messages per round, %d rounds, %d cores%n", messages, rounds,
                Runtime.getRuntime().availableProcessors());
        for (boolean ours : new boolean[] { false, true }) {
            run(session, ours, 1, messages); // warm-up
        }
        for (int threads : new int[] { 1, 4 }) {
            double[][] micros = new double[2][rounds];
            for (int round = 0; round < rounds; round++) {
                for (int v = 0; v < 2; v++) {
                    micros[v][round] = run(session, v == 1, threads, messages);
                }
            }
            double[] ratios = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                ratios[round] = micros[1][round] / micros[0][round];
            }
            System.out.printf(Locale.ROOT, "%d thread(s): MimeMessage %.2f us CPU/msg (rounds %s), "
                                           + "SessionStreamMimeMessage %.2f us CPU/msg (rounds %s), "
                                           + "ratio %.2f (median of round ratios)%n", threads, median(micros[0]),
                    Arrays.toString(round(micros[0])), median(micros[1]), Arrays.toString(round(micros[1])),
                    median(ratios));
        }
    }

    /** Microseconds of CPU (all sender threads) per message. */
    private static double run(Session session, boolean ours, int threads, int messages) throws Exception {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        AtomicLong cpu = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    long start = bean.getCurrentThreadCpuTime();
                    for (int i = first; i < messages; i += threads) {
                        MimeMessage m = ours ? new SessionStreamMimeMessage(session) : new MimeMessage(session);
                        m.setFrom(new InternetAddress("sender@example.org"));
                        m.setRecipient(RecipientType.TO, new InternetAddress("rcpt@example.org"));
                        m.setSubject("benchmark", "UTF-8");
                        m.setText(BODY, "UTF-8");
                        m.saveChanges();
                        m.writeTo(NOWHERE, new String[] { "Bcc", "Content-Length" });
                    }
                    cpu.addAndGet(bean.getCurrentThreadCpuTime() - start);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return cpu.get() / 1e3 / messages;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String[] round(double[] values) {
        return Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, "%.1f", v)).toArray(String[]::new);
    }
}
