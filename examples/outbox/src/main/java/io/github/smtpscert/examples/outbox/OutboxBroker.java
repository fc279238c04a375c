package io.github.smtpscert.examples.outbox;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;

/**
 * The Apache Artemis server, embedded: a persistent journal on disk, the outbox queue with its redelivery delays, and
 * the dead-letter and parked queues. Run on its own ({@link #main}) it is the broker the consumer JVMs share.
 */
public final class OutboxBroker {

    /** The queue the application writes mail to. */
    public static final String OUTBOX = "outbox";
    /** Mail that cannot be sent: permanent failures, and transient ones that never cleared. */
    public static final String DEAD_LETTER = "outbox.DLQ";
    /** Mail that may have been delivered (the connection broke after the message was sent): for a person to check. */
    public static final String PARKED = "outbox.parked";
    /** The broker's own cap; the route moves a transient failure to the dead letters earlier, with its reason. */
    static final int MAX_DELIVERY_ATTEMPTS = 50;

    private OutboxBroker() {
    }

    /**
     * Starts a broker.
     *
     * @param dataDir where the journal goes
     * @param acceptor for example tcp://127.0.0.1:61616
     * @param firstRedeliveryDelayMillis the wait before the first redelivery; doubled each time, at most 5 minutes
     */
    public static EmbeddedActiveMQ start(Path dataDir, String acceptor, long firstRedeliveryDelayMillis)
            throws Exception {
        Configuration config = new ConfigurationImpl()
                .setPersistenceEnabled(true)
                .setJournalType(JournalType.NIO) // ASYNCIO needs libaio; NIO runs everywhere
                .setJournalDirectory(dataDir.resolve("journal").toString())
                .setBindingsDirectory(dataDir.resolve("bindings").toString())
                .setPagingDirectory(dataDir.resolve("paging").toString())
                .setLargeMessagesDirectory(dataDir.resolve("large-messages").toString())
                .setSecurityEnabled(false)
                .addAcceptorConfiguration("outbox", acceptor);
        config.addAddressSetting(OUTBOX, new AddressSettings()
                .setRedeliveryDelay(firstRedeliveryDelayMillis)
                .setRedeliveryMultiplier(2)
                .setMaxRedeliveryDelay(300_000)
                .setMaxDeliveryAttempts(MAX_DELIVERY_ATTEMPTS)
                .setDeadLetterAddress(SimpleString.of(DEAD_LETTER)));
        for (String queue : new String[] {OUTBOX, DEAD_LETTER, PARKED}) {
            config.addQueueConfiguration(QueueConfiguration.of(queue).setRoutingType(RoutingType.ANYCAST));
        }
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ();
        broker.setConfiguration(config);
        broker.start();
        return broker;
    }

    /** Arguments: the data directory, the acceptor URL. Runs until the process is stopped. */
    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args.length > 0 ? args[0] : "target/outbox-broker");
        String acceptor = args.length > 1 ? args[1] : "tcp://127.0.0.1:61616";
        EmbeddedActiveMQ broker = start(dataDir, acceptor, 1000);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.stop();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }));
        System.out.println("outbox broker ready on " + acceptor + ", journal in " + dataDir);
        stopped.await();
    }
}
