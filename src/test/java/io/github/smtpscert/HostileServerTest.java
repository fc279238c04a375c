package io.github.smtpscert;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.smtpscert.testsupport.HostileServer;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Servers that try to make the client read forever or wait forever: the client reads a bounded amount, gives each
 * reply one timeout in all, and stops a send in flight when the endpoint stops. Bounds are shown by the bytes the
 * server got out before the client hung up, not by clocks.
 */
class HostileServerTest {

    private static final long FLOOD = 64L * 1024 * 1024;
    /** The client reads at most 64 KiB per reply; the rest is what loopback socket buffers can hold. */
    private static final long BOUNDED = 16L * 1024 * 1024;

    @TempDir
    static Path dir;
    private static Path trustPem;
    private static final TestPki PKI = TestPki.shared();

    @BeforeAll
    static void trust() {
        trustPem = PKI.writeTrustPem(dir, "trust.pem");
    }

    private static String uri(HostileServer server, String tlsMode, int timeout) {
        return "smtps-cert:localhost:" + server.port() + "?tlsMode=" + tlsMode + "&timeout=" + timeout
               + "&from=sender@example.org&to=rcpt@example.org&subject=hostile&trustCertificates=" + trustPem;
    }

    private static Exception send(String uri) throws Exception {
        try (CamelContext ctx = MtlsFixture.context()) {
            Exchange exchange = MtlsFixture.send(ctx, uri, "body");
            return exchange.getException();
        }
    }

    private static void assertReplyTooLong(Exception failure, HostileServer server, String what) {
        SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, failure);
        assertTrue(e.getMessage().contains("server reply too long from localhost:" + server.port()), e.getMessage());
        assertTrue(e.getMessage().contains(what), e.getMessage());
        assertTrue(e.getMessage().length() < 1000, "message of " + e.getMessage().length() + " characters");
        assertTrue(server.bytesSent() < BOUNDED, server.bytesSent() + " bytes sent before the client hung up");
    }

    @Test
    void endlessMultiLineGreetingBeforeStartTlsIsCutOff() throws Exception {
        try (HostileServer server = HostileServer.plain(c -> c.flood("220-hostile greeting that never ends\r\n", FLOOD))) {
            assertReplyTooLong(send(uri(server, "STARTTLS", 5000)), server, "reply of more than 65536 bytes");
        }
    }

    @Test
    void endlessLineBeforeStartTlsIsCutOff() throws Exception {
        try (HostileServer server = HostileServer.plain(c -> c.flood("220 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", FLOOD))) {
            assertReplyTooLong(send(uri(server, "STARTTLS", 5000)), server, "reply line of more than 4096 bytes");
        }
    }

    @Test
    void endlessGreetingOverImplicitTlsIsCutOff() throws Exception {
        try (HostileServer server = HostileServer.implicitTls(PKI.issueServer("localhost"),
                c -> c.flood("220-hostile greeting that never ends\r\n", FLOOD))) {
            assertReplyTooLong(send(uri(server, "IMPLICIT", 5000)), server, "reply of more than 65536 bytes");
        }
    }

    @Test
    void endlessReplyToMailFromIsCutOffAndNothingIsSent() throws Exception {
        try (HostileServer server = HostileServer.implicitTls(PKI.issueServer("localhost"), c -> {
            c.reply("220 hostile.test ready");
            c.converseUntil("MAIL");
            c.flood("250-this reply never ends\r\n", FLOOD);
        })) {
            assertReplyTooLong(send(uri(server, "IMPLICIT", 5000)), server, "reply of more than 65536 bytes");
        }
    }

    // --- slow servers: the drip lasts 200 pauses of 50 ms; a 1 s timeout lets about 20 bytes through ---

    private static final String DRIP = "220 " + "x".repeat(196);

    private static void assertTimedOutEarly(Exception failure, HostileServer server, long maxBytes) {
        SmtpsCertTransientException e = assertInstanceOf(SmtpsCertTransientException.class, failure);
        assertFalse(e.isPossiblyDelivered());
        assertTrue(server.bytesSent() < maxBytes, server.bytesSent() + " bytes dripped before the client hung up: "
                   + e.getMessage());
    }

    @Test
    void drippingGreetingGetsOneTimeoutInAll() throws Exception {
        try (HostileServer server = HostileServer.plain(c -> c.drip(DRIP, 50))) {
            Exception failure = send(uri(server, "STARTTLS", 1000));
            assertTimedOutEarly(failure, server, 60);
            assertTrue(failure.getMessage().contains("no SMTP greeting from localhost:" + server.port()),
                    failure.getMessage());
        }
    }

    @Test
    void drippingTlsHandshakeGetsOneTimeoutInAll() throws Exception {
        try (HostileServer tls = HostileServer.implicitTls(PKI.issueServer("localhost"), c -> c.reply("220 ok"));
             HostileServer slowPath = HostileServer.plain(c -> c.relayDripping(tls.port(), 50))) {
            assertTimedOutEarly(send(uri(slowPath, "IMPLICIT", 1000)), slowPath, 60);
        }
    }

    @Test
    void drippingReplyToMailFromGetsOneTimeoutInAll() throws Exception {
        try (HostileServer server = HostileServer.implicitTls(PKI.issueServer("localhost"), c -> {
            c.reply("220 hostile.test ready");
            c.converseUntil("MAIL");
            c.drip(DRIP, 50);
        })) {
            Exception failure = send(uri(server, "IMPLICIT", 1000));
            // before MAIL FROM: "220 hostile.test ready" and "250 hostile.test", 42 bytes
            assertTimedOutEarly(failure, server, 42 + 60);
            assertTrue(failure.getMessage().contains("at MAIL FROM"), failure.getMessage());
        }
    }

    // --- stopping the endpoint with a send in flight ---

    @Test
    void stoppingTheEndpointAbortsASendWaitingForMailFrom() throws Exception {
        CountDownLatch atMail = new CountDownLatch(1);
        try (HostileServer server = HostileServer.implicitTls(PKI.issueServer("localhost"), c -> {
            c.reply("220 hostile.test ready");
            c.converseUntil("MAIL");
            atMail.countDown();
            c.stall();
        })) {
            SmtpsCertTransientException e = sendAndStopAt(server, atMail);
            assertTrue(e.getMessage().contains("endpoint is stopped or stopping; nothing was sent"), e.getMessage());
            assertFalse(e.isPossiblyDelivered());
        }
    }

    @Test
    void stoppingTheEndpointAfterTheFinalDotSaysPossiblyDelivered() throws Exception {
        CountDownLatch afterDot = new CountDownLatch(1);
        try (HostileServer server = HostileServer.implicitTls(PKI.issueServer("localhost"), c -> {
            c.reply("220 hostile.test ready");
            c.converseUntil("DATA");
            c.reply("354 go ahead");
            c.readData();
            afterDot.countDown();
            c.stall();
        })) {
            SmtpsCertTransientException e = sendAndStopAt(server, afterDot);
            assertTrue(e.isPossiblyDelivered(), e.getMessage());
            assertTrue(e.getMessage().contains("may have queued it"), e.getMessage());
        }
    }

    /** Sends with a 60 s timeout, stops the endpoint once the server is at the latch; the send must end long before. */
    private static SmtpsCertTransientException sendAndStopAt(HostileServer server, CountDownLatch latch) throws Exception {
        try (CamelContext ctx = MtlsFixture.context()) {
            String uri = uri(server, "IMPLICIT", 60_000);
            SmtpsCertEndpoint endpoint = ctx.getEndpoint(uri, SmtpsCertEndpoint.class);
            CompletableFuture<Exchange> sending = CompletableFuture.supplyAsync(() -> MtlsFixture.send(ctx, uri, "body"));
            assertTrue(latch.await(30, TimeUnit.SECONDS), "the server never got that far");
            endpoint.stop();
            Exchange exchange = sending.get(20, TimeUnit.SECONDS); // a third of the timeout: the stop ended it
            assertEquals(0, endpoint.getOpenConnections());
            return assertInstanceOf(SmtpsCertTransientException.class, exchange.getException());
        }
    }
}
