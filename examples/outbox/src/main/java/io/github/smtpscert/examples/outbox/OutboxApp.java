package io.github.smtpscert.examples.outbox;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * One outbox consumer instance (Camel Main). With {@code outbox.broker-url} empty it starts an Artemis broker in this
 * JVM first, so the example runs in one command; set it to reach a broker or cluster elsewhere. Run as many instances
 * as you like against the same broker: each drains the same queue.
 * <p>
 * {@code outbox.demo-messages > 0} puts that many mails on the outbox after start, the last one to a recipient the
 * relay rejects, then prints what became of them and exits (0 when all went where they should).
 */
public final class OutboxApp {

    private final Main main = new Main();
    private final OutboxRoute route = new OutboxRoute();
    private EmbeddedActiveMQ broker;
    private ActiveMQConnectionFactory factory;
    private ScheduledExecutorService background;
    private volatile boolean demoPassed = true;

    public static void main(String[] args) throws Exception {
        OutboxApp app = new OutboxApp();
        app.main.configure().addRoutesBuilder(app.route);
        app.main.addMainListener(app.new Lifecycle());
        int status = 1;
        try {
            app.main.run(args);
            status = app.demoPassed ? 0 : 1;
        } catch (Throwable e) {
            e.printStackTrace();
        } finally {
            // the broker's threads would keep a failed JVM alive
            System.exit(status);
        }
    }

    private final class Lifecycle extends MainListenerSupport {
        @Override
        public void beforeConfigure(BaseMainSupport support) {
            CamelContext context = support.getCamelContext();
            String url = property(context, "outbox.broker-url");
            try {
                if (url.isBlank()) {
                    url = "tcp://127.0.0.1:" + property(context, "outbox.embedded-broker-port");
                    broker = OutboxBroker.start(Path.of(property(context, "outbox.embedded-broker-dir")), url, 1000);
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the embedded broker on " + url + ": " + e, e);
            }
            factory = new ActiveMQConnectionFactory(url);
            // a small prefetch, so that several instances share the queue evenly
            factory.setConsumerWindowSize(Integer.parseInt(property(context, "outbox.consumer-window-size")));
            context.addComponent("jms", JmsComponent.jmsComponent(factory));
        }

        @Override
        public void afterStart(BaseMainSupport support) {
            CamelContext context = support.getCamelContext();
            background = Executors.newSingleThreadScheduledExecutor();
            String statusFile = property(context, "outbox.status-file");
            if (!statusFile.isBlank()) {
                background.scheduleWithFixedDelay(() -> writeStatus(context, Path.of(statusFile)), 0, 100,
                        TimeUnit.MILLISECONDS);
            }
            int demo = Integer.parseInt(property(context, "outbox.demo-messages"));
            if (demo > 0) {
                background.execute(() -> runDemo(context, demo));
            }
        }

        @Override
        public void afterStop(BaseMainSupport support) {
            if (background != null) {
                background.shutdownNow();
            }
            try {
                if (factory != null) {
                    factory.close();
                }
                if (broker != null) {
                    broker.stop();
                }
            } catch (Exception e) {
                System.err.println("stopping the embedded broker: " + e);
            }
        }
    }

    /** sent=N inflight=M, rewritten every 100 ms for a driver process (CrashTest) to read. */
    private void writeStatus(CamelContext context, Path file) {
        String line = "sent=" + route.sent() + " inflight=" + context.getInflightRepository().size() + "\n";
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, line, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (Exception e) {
            System.err.println("cannot write " + file + ": " + e);
        }
    }

    private void runDemo(CamelContext context, int count) {
        try {
            List<Enqueue.Mail> mails = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                String identity = i % 2 == 1 ? "alice" : "bob";
                String to = i == count ? property(context, "outbox.demo-rejected-to") : property(context, "mail.to");
                mails.add(new Enqueue.Mail(to, "outbox demo " + i + " as " + identity, identity,
                        "Mail " + i + " of " + count + " from the outbox example.\n"));
            }
            // the journal keeps earlier runs' dead letters: count this run's, the ones after them
            int deadBefore = Queues.browse(factory, OutboxBroker.DEAD_LETTER).size();
            int parkedBefore = Queues.browse(factory, OutboxBroker.PARKED).size();
            Enqueue.send(factory, mails);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (Queues.messageCount(factory, OutboxBroker.OUTBOX) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            long left = Queues.messageCount(factory, OutboxBroker.OUTBOX);
            List<Map<String, Object>> dead = after(Queues.browse(factory, OutboxBroker.DEAD_LETTER), deadBefore);
            List<Map<String, Object>> parked = after(Queues.browse(factory, OutboxBroker.PARKED), parkedBefore);
            System.out.printf("outbox demo: %d enqueued, %d sent, %d dead-lettered, %d parked, %d left%n", count,
                    route.sent(), dead.size(), parked.size(), left);
            for (Map<String, Object> d : dead) {
                System.out.println("  dead letter: " + d.get("Subject") + ": " + d.get(OutboxRoute.FAILURE));
            }
            demoPassed = route.sent() == count - 1 && dead.size() == 1 && parked.isEmpty() && left == 0;
            System.out.println(demoPassed ? "OK" : "FAILED");
        } catch (Exception e) {
            demoPassed = false;
            e.printStackTrace();
        } finally {
            main.completed();
        }
    }

    private static List<Map<String, Object>> after(List<Map<String, Object>> messages, int skip) {
        return messages.subList(Math.min(skip, messages.size()), messages.size());
    }

    private static String property(CamelContext context, String name) {
        return context.getPropertiesComponent().resolveProperty(name).orElse("").trim();
    }
}
