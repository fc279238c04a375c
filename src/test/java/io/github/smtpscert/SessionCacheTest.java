package io.github.smtpscert;

import java.util.List;
import java.util.Map;

import io.github.smtpscert.internal.transport.IdentityStatistics;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How many TLS handshakes are full or resumed, as the server saw them and as the endpoint counts them. */
class SessionCacheTest {

    private static final int MESSAGES = 6;

    @Test
    void pooledEndpointMakesOneFullHandshakePerConnection() throws Exception {
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = MtlsFixture.context()) {
            String uri = f.uri(alice(f));
            sendAll(ctx, uri, MESSAGES);

            assertEquals(MESSAGES, f.server.deliveries().size());
            // sequential sends reuse one pooled connection
            assertEquals(1, f.server.connectionCount());
            assertEquals(1, f.server.fullHandshakes());
            assertEquals(0, f.server.resumedHandshakes());
            IdentityStatistics stats = only(ctx.getEndpoint(uri, SmtpsCertEndpoint.class).statistics());
            assertEquals(MESSAGES, stats.messagesSent());
            assertEquals(1, stats.fullHandshakes());
            assertEquals(0, stats.resumedHandshakes());
            assertEquals(1, stats.openConnections());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
    void unpooledEndpointResumesEveryHandshakeAfterTheFirst(String protocol) throws Exception {
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = MtlsFixture.context()) {
            String uri = f.uri(alice(f) + "&poolEnabled=false&protocols=" + protocol);
            List<Exchange> sent = sendAll(ctx, uri, MESSAGES);

            List<Delivery> deliveries = f.server.deliveries();
            assertEquals(MESSAGES, deliveries.size());
            assertEquals(MESSAGES, f.server.connectionCount());
            assertEquals(1, f.server.fullHandshakes());
            assertEquals(MESSAGES - 1, f.server.resumedHandshakes());
            for (int i = 0; i < MESSAGES; i++) {
                assertEquals(protocol, deliveries.get(i).tlsProtocol());
                assertEquals(i > 0, deliveries.get(i).sessionResumed(), "server view of message " + i);
                assertEquals(i > 0, sent.get(i).getMessage().getHeader(SmtpsCertConstants.SESSION_RESUMED),
                        "header of message " + i);
                assertEquals(f.alice.sha256Hex(), deliveries.get(i).clientCertSha256Hex());
            }
            IdentityStatistics stats = only(ctx.getEndpoint(uri, SmtpsCertEndpoint.class).statistics());
            assertEquals(1, stats.fullHandshakes());
            assertEquals(MESSAGES - 1, stats.resumedHandshakes());
            assertEquals(0, stats.openConnections());
        }
    }

    @Test
    void withoutSessionCacheEveryHandshakeIsFull() throws Exception {
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = MtlsFixture.context()) {
            String uri = f.uri(alice(f) + "&poolEnabled=false&sslSessionCacheEnabled=false");
            List<Exchange> sent = sendAll(ctx, uri, MESSAGES);

            assertEquals(MESSAGES, f.server.deliveries().size());
            assertEquals(MESSAGES, f.server.fullHandshakes());
            assertEquals(0, f.server.resumedHandshakes());
            sent.forEach(ex -> assertEquals(Boolean.FALSE, ex.getMessage().getHeader(SmtpsCertConstants.SESSION_RESUMED)));
            f.server.deliveries().forEach(d -> assertFalse(d.sessionResumed()));
            IdentityStatistics stats = only(ctx.getEndpoint(uri, SmtpsCertEndpoint.class).statistics());
            assertEquals(MESSAGES, stats.fullHandshakes());
            assertEquals(0, stats.resumedHandshakes());
        }
    }

    @Test
    void tls12ServerIsResumedToo() throws Exception {
        // the server, not the client, limits the protocol here
        try (MtlsFixture f = new MtlsFixture(serverBuilder().protocols("TLSv1.2"));
             CamelContext ctx = MtlsFixture.context()) {
            String uri = f.uri(alice(f) + "&poolEnabled=false");
            sendAll(ctx, uri, 3);
            assertEquals(1, f.server.fullHandshakes());
            assertEquals(2, f.server.resumedHandshakes());
            f.server.deliveries().forEach(d -> assertEquals("TLSv1.2", d.tlsProtocol()));
        }
    }

    static MtlsSmtpServer.Builder serverBuilder() {
        io.github.smtpscert.testsupport.TestPki pki = io.github.smtpscert.testsupport.TestPki.shared();
        return MtlsSmtpServer.builder(pki, pki.issueServer("localhost"));
    }

    static String alice(MtlsFixture f) {
        return "keyStore=" + f.aliceP12 + "&keyStorePassword=" + MtlsFixture.PW;
    }

    static List<Exchange> sendAll(CamelContext ctx, String uri, int count) {
        List<Exchange> sent = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            Exchange ex = MtlsFixture.send(ctx, uri, "message " + i);
            assertNull(ex.getException(), () -> "message failed: " + ex.getException());
            sent.add(ex);
        }
        return sent;
    }

    static IdentityStatistics only(Map<String, IdentityStatistics> statistics) {
        assertEquals(1, statistics.size(), () -> "one identity expected: " + statistics);
        IdentityStatistics stats = statistics.values().iterator().next();
        assertTrue(stats.identity().contains("CN=alice"), stats::identity);
        return stats;
    }
}
