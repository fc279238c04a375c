package io.github.smtpscert;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.smtpscert.internal.transport.IdentityStatistics;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two identities alternating on one host:port: every message arrives with the identity it was sent with, and no TLS
 * session made with one identity is resumed with another. poolEnabled=false so that every message makes a handshake.
 */
class IdentityIsolationTest {

    private static final int ROUNDS = 4;

    @Test
    void twoEndpointsAlternating() throws Exception {
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = MtlsFixture.context()) {
            String aliceUri = f.uri("poolEnabled=false&keyStore=" + f.aliceP12 + "&keyStorePassword=" + MtlsFixture.PW);
            String bobUri = f.uri("poolEnabled=false&keyStore=" + f.bobP12 + "&keyStorePassword=" + MtlsFixture.PW);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                sendOk(ctx, aliceUri, null);
                expected.add(f.alice.sha256Hex());
                sendOk(ctx, bobUri, null);
                expected.add(f.bob.sha256Hex());
            }
            assertDeliveredAsSentAndNeverCrossResumed(f.server, expected);
            assertPerIdentity(ctx.getEndpoint(aliceUri, SmtpsCertEndpoint.class).statistics(), f.alice);
            assertPerIdentity(ctx.getEndpoint(bobUri, SmtpsCertEndpoint.class).statistics(), f.bob);
        }
    }

    @Test
    void identityFromHeaderAlternating() throws Exception {
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = MtlsFixture.context()) {
            String uri = f.uri("poolEnabled=false&allowIdentityFromHeader=true&keyStore=" + bothStore(f)
                               + "&keyStorePassword=" + MtlsFixture.PW);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                Exchange a = sendOk(ctx, uri, "alice");
                assertEquals(f.alice.subjectDn(), a.getMessage().getHeader(SmtpsCertConstants.CLIENT_CERTIFICATE));
                expected.add(f.alice.sha256Hex());
                Exchange b = sendOk(ctx, uri, "bob");
                assertEquals(f.bob.subjectDn(), b.getMessage().getHeader(SmtpsCertConstants.CLIENT_CERTIFICATE));
                expected.add(f.bob.sha256Hex());
            }
            assertDeliveredAsSentAndNeverCrossResumed(f.server, expected);
            Map<String, IdentityStatistics> stats = ctx.getEndpoint(uri, SmtpsCertEndpoint.class).statistics();
            assertEquals(2, stats.size(), stats::toString);
            assertCounts(stats.get(f.alice.sha256Hex()), f.alice);
            assertCounts(stats.get(f.bob.sha256Hex()), f.bob);
        }
    }

    @Test
    void headerIsIgnoredUnlessAllowed() throws Exception {
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = MtlsFixture.context()) {
            String uri = f.uri("keyStore=" + bothStore(f) + "&keyStorePassword=" + MtlsFixture.PW);
            sendOk(ctx, uri, "bob");
            // the alias that sorts first is the default
            assertEquals(f.alice.sha256Hex(), f.server.deliveries().get(0).clientCertSha256Hex());
        }
    }

    @Test
    void anonymousEndpointBesideIdentityEndpoint() throws Exception {
        try (MtlsFixture f = new MtlsFixture(SessionCacheTest.serverBuilder().clientAuth(MtlsSmtpServer.ClientAuth.WANT));
             CamelContext ctx = MtlsFixture.context()) {
            String anonymousUri = f.uri("poolEnabled=false");
            String aliceUri = f.uri("poolEnabled=false&keyStore=" + f.aliceP12 + "&keyStorePassword=" + MtlsFixture.PW);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                Exchange anonymous = sendOk(ctx, anonymousUri, null);
                assertNull(anonymous.getMessage().getHeader(SmtpsCertConstants.CLIENT_CERTIFICATE));
                expected.add(null);
                sendOk(ctx, aliceUri, null);
                expected.add(f.alice.sha256Hex());
            }
            assertDeliveredAsSentAndNeverCrossResumed(f.server, expected);
            assertPerIdentity(ctx.getEndpoint(aliceUri, SmtpsCertEndpoint.class).statistics(), f.alice);
            IdentityStatistics anonymous = ctx.getEndpoint(anonymousUri, SmtpsCertEndpoint.class).statistics().get("anonymous");
            assertEquals(ROUNDS, anonymous.messagesSent());
            assertEquals(1, anonymous.fullHandshakes());
            assertEquals(ROUNDS - 1, anonymous.resumedHandshakes());
        }
    }

    /** Server-verified: each delivery has the expected fingerprint, and a resumed one follows one with the same. */
    static void assertDeliveredAsSentAndNeverCrossResumed(MtlsSmtpServer server, List<String> expected) {
        List<Delivery> deliveries = server.deliveries();
        assertEquals(expected.size(), deliveries.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < deliveries.size(); i++) {
            Delivery d = deliveries.get(i);
            assertEquals(expected.get(i), d.clientCertSha256Hex(), "identity of delivery " + i);
            if (d.sessionResumed()) {
                assertTrue(seen.contains(String.valueOf(d.clientCertSha256Hex())),
                        "delivery " + i + " resumed a session no earlier connection made with its identity");
            }
            seen.add(String.valueOf(d.clientCertSha256Hex()));
        }
        // every identity's first connection was full, the rest resumed: sessions never crossed identities
        assertEquals(seen.size(), server.fullHandshakes());
        assertEquals(expected.size() - seen.size(), server.resumedHandshakes());
    }

    private static void assertPerIdentity(Map<String, IdentityStatistics> stats, Leaf leaf) {
        assertEquals(1, stats.size(), stats::toString);
        assertCounts(stats.get(leaf.sha256Hex()), leaf);
    }

    private static void assertCounts(IdentityStatistics stats, Leaf leaf) {
        assertEquals(leaf.subjectDn(), stats.identity());
        assertEquals(ROUNDS, stats.messagesSent());
        assertEquals(1, stats.fullHandshakes());
        assertEquals(ROUNDS - 1, stats.resumedHandshakes());
    }

    private static Path bothStore(MtlsFixture f) {
        Map<String, Leaf> entries = new LinkedHashMap<>();
        entries.put("bob", f.bob);
        entries.put("alice", f.alice);
        return TestPki.writeKeyStore(f.dir.resolve("both.p12"), "PKCS12", MtlsFixture.PW.toCharArray(), entries);
    }

    private static Exchange sendOk(CamelContext ctx, String uri, String keyAlias) {
        ProducerTemplate template = ctx.createProducerTemplate();
        Exchange ex = template.send(uri, exchange -> {
            exchange.getMessage().setBody("hello");
            if (keyAlias != null) {
                exchange.getMessage().setHeader(SmtpsCertConstants.KEY_ALIAS, keyAlias);
            }
        });
        assertNull(ex.getException(), () -> "send failed: " + ex.getException());
        return ex;
    }
}
