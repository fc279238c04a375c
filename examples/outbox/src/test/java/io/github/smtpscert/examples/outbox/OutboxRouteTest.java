package io.github.smtpscert.examples.outbox;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.github.smtpscert.testsupport.FaultySmtpServer;
import io.github.smtpscert.testsupport.FaultySmtpServer.Fault;
import io.github.smtpscert.testsupport.FaultySmtpServer.Step;
import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.TempDirs;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The route against the real Artemis server (in this JVM) and a scripted SMTPS server that requires a client
 * certificate: where each kind of failure ends up. One JMS session, so a scripted fault hits the mail just sent.
 */
class OutboxRouteTest {

    private static final String PW = "changeit";
    private static Path dir;
    private static FaultySmtpServer server;
    private static EmbeddedActiveMQ broker;
    private static ActiveMQConnectionFactory factory;
    private static CamelContext context;

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = TestPki.shared();
        dir = TempDirs.create("outbox-test");
        Path identities = TestPki.writeKeyStore(dir.resolve("identities.p12"), "PKCS12", PW.toCharArray(),
                Map.of("alice", pki.issueClient("alice", KeyAlg.EC), "bob", pki.issueClient("bob", KeyAlg.RSA)));
        server = new FaultySmtpServer(pki, pki.issueServer("localhost"));
        String url = "tcp://127.0.0.1:" + freePort();
        broker = OutboxBroker.start(dir.resolve("broker"), url, 100);
        factory = new ActiveMQConnectionFactory(url);

        Properties properties = new Properties();
        properties.put("smtp.host", "localhost");
        properties.put("smtp.port", String.valueOf(server.port()));
        properties.put("smtp.tls-mode", "IMPLICIT");
        properties.put("client.key-store", identities.toString());
        properties.put("client.key-store-password", PW);
        properties.put("trust.certificates", pki.writeTrustPem(dir, "trust.pem").toString());
        properties.put("mail.from", "outbox@example.org");
        properties.put("outbox.concurrent-consumers", "1");
        properties.put("outbox.max-attempts", "3");
        properties.put("outbox.message-id-domain", "outbox.example.org");
        context = new DefaultCamelContext();
        context.getPropertiesComponent().setInitialProperties(properties);
        context.addComponent("jms", JmsComponent.jmsComponent(factory));
        context.addRoutes(new OutboxRoute());
        context.start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            context.close();
            factory.close();
            broker.stop();
            server.close();
        } finally {
            TempDirs.delete(dir);
        }
    }

    @Test
    void aSentMailCarriesTheBrokerMessageIdAsItsMessageId() throws Exception {
        String id = enqueue("rcpt@example.org", "sent", "bob");
        awaitDrained(() -> server.countSubject("sent") == 1);

        assertEquals(1, server.countMessageId("<" + id.substring(3) + "@outbox.example.org>"));
    }

    @Test
    void aRejectedRecipientGoesToTheDeadLettersWithTheReason() throws Exception {
        enqueue("reject-550@example.org", "rejected", "alice");
        awaitDrained(() -> find(OutboxBroker.DEAD_LETTER, "rejected") != null);

        Map<String, Object> dead = find(OutboxBroker.DEAD_LETTER, "rejected");
        assertTrue(String.valueOf(dead.get(OutboxRoute.FAILURE)).contains("reject-550@example.org"), dead.toString());
        assertEquals(550, dead.get(OutboxRoute.REPLY_CODE));
        assertEquals(1, dead.get(OutboxRoute.ATTEMPTS), "a permanent failure is not retried");
        assertEquals(0, server.countSubject("rejected"));
    }

    @Test
    void aTransientFailureIsRolledBackAndSentOnceByTheBrokersRedelivery() throws Exception {
        server.failNext(Step.MAIL, Fault.reply(451));
        enqueue("rcpt@example.org", "transient", "alice");
        awaitDrained(() -> server.countSubject("transient") == 1);

        assertEquals(1, server.countSubject("transient"));
        assertEquals(null, find(OutboxBroker.DEAD_LETTER, "transient"));
    }

    @Test
    void aRelayRefusingTheConnectionWith421IsRedeliveredLater() throws Exception {
        // "421 too many connections": the session is refused before anything is sent; the pool holds no connection
        server.closeAllConnections();
        server.failNext(Step.GREETING, Fault.reply(421, "4.7.0 Error: too many connections from 127.0.0.1"));
        enqueue("rcpt@example.org", "too-many", "bob");
        awaitDrained(() -> server.countSubject("too-many") == 1);

        assertEquals(1, server.countSubject("too-many"));
        assertEquals(null, find(OutboxBroker.DEAD_LETTER, "too-many"));
    }

    @Test
    void aTransientFailureThatNeverClearsGoesToTheDeadLettersAfterMaxAttempts() throws Exception {
        server.script(step -> step == Step.MAIL ? Fault.reply(452) : null);
        try {
            enqueue("rcpt@example.org", "always-busy", "alice");
            awaitDrained(() -> find(OutboxBroker.DEAD_LETTER, "always-busy") != null);
        } finally {
            server.script(step -> null);
        }
        Map<String, Object> dead = find(OutboxBroker.DEAD_LETTER, "always-busy");
        assertEquals(452, dead.get(OutboxRoute.REPLY_CODE));
        assertEquals(3, dead.get(OutboxRoute.ATTEMPTS), "outbox.max-attempts=3: " + dead);
    }

    @Test
    void aPossiblyDeliveredMailIsParkedNotRetried() throws Exception {
        // the server keeps the mail and the connection breaks before its reply
        server.failNext(Step.END_OF_DATA, Fault.close());
        enqueue("rcpt@example.org", "maybe", "bob");
        awaitDrained(() -> find(OutboxBroker.PARKED, "maybe") != null);

        Map<String, Object> parked = find(OutboxBroker.PARKED, "maybe");
        assertTrue(String.valueOf(parked.get(OutboxRoute.FAILURE)).contains("may"), parked.toString());
        assertEquals(1, server.countSubject("maybe"), "sent once, and left for a person to check");
    }

    private static String enqueue(String to, String subject, String identity) throws Exception {
        return Enqueue.send(factory, List.of(new Enqueue.Mail(to, subject, identity, "body"))).get(0);
    }

    private static Map<String, Object> find(String queue, String subject) {
        try {
            return Queues.browse(factory, queue).stream().filter(m -> subject.equals(m.get("Subject"))).findFirst()
                    .orElse(null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits (at most 60 s) until the outbox is empty and the expected outcome is there. */
    private static void awaitDrained(BooleanSupplier outcome) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Queues.messageCount(factory, OutboxBroker.OUTBOX) > 0 || !outcome.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the outbox did not reach the expected state within 60 s: "
                        + Queues.messageCount(factory, OutboxBroker.OUTBOX) + " left");
            }
            Thread.sleep(50);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
