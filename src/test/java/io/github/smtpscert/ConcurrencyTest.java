package io.github.smtpscert;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.github.smtpscert.internal.transport.IdentityStatistics;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Eight threads sending through one pooled endpoint with two identities chosen per message. */
class ConcurrencyTest {

    private static final int MESSAGES = 400;
    private static final int THREADS = 8;
    private static final int MAX_CONNECTIONS = 3;

    @Test
    void parallelSendsDeliverEachMessageOnceWithItsIdentity() throws Exception {
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = MtlsFixture.context()) {
            Map<String, Leaf> entries = new LinkedHashMap<>();
            entries.put("alice", f.alice);
            entries.put("bob", f.bob);
            Path store = TestPki.writeKeyStore(f.dir.resolve("both.p12"), "PKCS12", MtlsFixture.PW.toCharArray(), entries);
            String uri = f.uri("allowIdentityFromHeader=true&poolMaxConnections=" + MAX_CONNECTIONS + "&keyStore=" + store
                               + "&keyStorePassword=" + MtlsFixture.PW);
            // resolved once: eight threads resolving a new URI at the same moment can each get their own endpoint
            SmtpsCertEndpoint endpoint = ctx.getEndpoint(uri, SmtpsCertEndpoint.class);
            ProducerTemplate template = ctx.createProducerTemplate();
            ExecutorService threads = Executors.newFixedThreadPool(THREADS);
            List<Future<Exchange>> results = new ArrayList<>();
            Map<String, String> expectedFingerprint = new HashMap<>();
            for (int i = 0; i < MESSAGES; i++) {
                String alias = i % 2 == 0 ? "alice" : "bob";
                String body = "message " + i + " from " + alias;
                expectedFingerprint.put(body, entries.get(alias).sha256Hex());
                results.add(threads.submit(() -> template.send(endpoint, exchange -> {
                    exchange.getMessage().setBody(body);
                    exchange.getMessage().setHeader(SmtpsCertConstants.KEY_ALIAS, alias);
                })));
            }
            for (Future<Exchange> result : results) {
                Exchange ex = result.get();
                assertNull(ex.getException(), () -> "send failed: " + ex.getException());
            }
            threads.shutdown();

            List<Delivery> deliveries = f.server.deliveries();
            assertEquals(MESSAGES, deliveries.size());
            Set<String> bodies = new HashSet<>();
            Map<String, Set<Integer>> connectionsPerIdentity = new HashMap<>();
            for (Delivery d : deliveries) {
                String body = d.message().getContent().toString().trim();
                assertTrue(bodies.add(body), "delivered twice: " + body);
                assertEquals(expectedFingerprint.get(body), d.clientCertSha256Hex(), "identity of " + body);
                connectionsPerIdentity.computeIfAbsent(d.clientCertSha256Hex(), k -> new HashSet<>()).add(d.connectionId());
            }
            assertEquals(expectedFingerprint.keySet(), bodies);
            // nothing was evicted or recycled during the run, so every connection ever opened was open at once at most
            assertEquals(2, connectionsPerIdentity.size());
            connectionsPerIdentity.forEach((identity, connections) -> assertTrue(connections.size() <= MAX_CONNECTIONS,
                    identity + " used " + connections.size() + " connections"));
            assertTrue(f.server.connectionCount() <= 2 * MAX_CONNECTIONS, () -> f.server.connectionCount() + " connections");

            Map<String, IdentityStatistics> stats = endpoint.statistics();
            for (Leaf leaf : entries.values()) {
                IdentityStatistics s = stats.get(leaf.sha256Hex());
                assertNotNull(s, () -> leaf + " missing in " + stats);
                assertEquals(MESSAGES / 2, s.messagesSent());
                assertTrue(s.openConnections() <= MAX_CONNECTIONS, s::toString);
                assertEquals(s.openConnections(), s.idleConnections(), "nothing is leased after the sends returned");
                assertEquals(connectionsPerIdentity.get(leaf.sha256Hex()).size(), s.fullHandshakes() + s.resumedHandshakes());
            }
        }
    }
}
