package io.github.smtpscert.springboot;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

/** Sending through an endpoint and reading what the client-certificate test server received. */
final class Sends {

    private Sends() {
    }

    /** Sends one mail through the endpoint and returns the server's record of it. */
    static Delivery send(ProducerTemplate producer, MtlsSmtpServer server, String uri, String body) {
        int before = server.deliveries().size();
        Exchange exchange = producer.send(uri, e -> e.getMessage().setBody(body));
        assertNull(exchange.getException(), () -> "send failed: " + exchange.getException());
        List<Delivery> received = server.deliveries();
        assertEquals(before + 1, received.size(), "mails the server received");
        return received.get(before);
    }

    /** Waits until the condition holds, failing after the timeout. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("waited " + timeout.toSeconds() + "s for " + what);
            }
            Thread.sleep(50);
        }
    }
}
