package io.github.smtpscert;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

/** The connection pool against a real server (its clock-driven rules are unit-tested in pool/ConnectionPoolTest). */
class PoolingTest {

    @Test
    void connectionIsRecycledAfterMaxMessages() throws Exception {
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = MtlsFixture.context()) {
            String uri = f.uri(SessionCacheTest.alice(f) + "&maxMessagesPerConnection=3");
            SessionCacheTest.sendAll(ctx, uri, 10);

            assertEquals(10, f.server.deliveries().size());
            assertEquals(4, f.server.connectionCount());
            int[] perConnection = new int[5];
            f.server.deliveries().forEach(d -> perConnection[d.connectionId()]++);
            assertEquals(List.of(3, 3, 3, 1), List.of(perConnection[1], perConnection[2], perConnection[3], perConnection[4]));
            // the replacements resume the first connection's session
            assertEquals(1, f.server.fullHandshakes());
            assertEquals(3, f.server.resumedHandshakes());
        }
    }

    @Test
    void serverDroppingIdleConnectionsLosesAndDuplicatesNothing() throws Exception {
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = MtlsFixture.context()) {
            String uri = f.uri(SessionCacheTest.alice(f));
            List<String> sent = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 3; i++) {
                    String body = "round " + round + " message " + i;
                    Exchange ex = MtlsFixture.send(ctx, uri, body);
                    assertNull(ex.getException(), () -> body + " failed: " + ex.getException());
                    sent.add(body);
                }
                f.server.closeAllConnections();
                await("the server to close its connections", () -> f.server.openConnections() == 0);
            }
            List<String> received = new ArrayList<>();
            for (Delivery d : f.server.deliveries()) {
                received.add(d.message().getContent().toString().trim());
            }
            assertEquals(sent, received);
            assertEquals(5, f.server.connectionCount());
        }
    }

    @Test
    void stoppingTheContextClosesPooledConnections() throws Exception {
        try (MtlsFixture f = new MtlsFixture()) {
            CamelContext ctx = MtlsFixture.context();
            String uri = f.uri(SessionCacheTest.alice(f));
            SessionCacheTest.sendAll(ctx, uri, 2);
            assertEquals(1, ctx.getEndpoint(uri, SmtpsCertEndpoint.class).getIdleConnections());
            assertEquals(1, f.server.openConnections());

            ctx.stop();
            await("the server to see the pooled connection closed", () -> f.server.openConnections() == 0);
            assertEquals(2, f.server.deliveries().size());
        }
    }

    /** Polls a condition for at most 20 seconds; no timing is asserted, only that it eventually holds. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
