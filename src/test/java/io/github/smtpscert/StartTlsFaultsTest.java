package io.github.smtpscert;

import java.nio.file.Path;

import io.github.smtpscert.testsupport.FaultySmtpServer;
import io.github.smtpscert.testsupport.FaultySmtpServer.Fault;
import io.github.smtpscert.testsupport.FaultySmtpServer.Step;
import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.TempDirs;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tlsMode=STARTTLS against a scripted server that refuses STARTTLS, or accepts it and then never starts TLS. */
class StartTlsFaultsTest {

    private static final Logger LOG = LoggerFactory.getLogger(StartTlsFaultsTest.class);
    private static final String PW = "s3cret-pw";

    private static TestPki pki;
    private static Path dir;
    private static Path trustPem;
    private static Path aliceP12;
    private static Leaf serverLeaf;

    private FaultySmtpServer server;
    private CamelContext context;

    @BeforeAll
    static void pki() {
        pki = TestPki.shared();
        dir = TempDirs.create("smtps-cert-starttls");
        trustPem = pki.writeTrustPem(dir, "trust.pem");
        Leaf alice = pki.issueClient("alice", KeyAlg.RSA);
        aliceP12 = alice.writePkcs12(dir, "alice.p12", PW.toCharArray(), PW.toCharArray());
        serverLeaf = pki.issueServer("localhost");
    }

    @AfterAll
    static void cleanUp() {
        TempDirs.delete(dir);
    }

    @BeforeEach
    void start() throws Exception {
        server = FaultySmtpServer.startTls(pki, serverLeaf);
        context = MtlsFixture.context();
    }

    @AfterEach
    void stop() throws Exception {
        context.close();
        server.close();
    }

    private Exchange send(String subject) {
        String uri = "smtps-cert:localhost:" + server.port() + "?tlsMode=STARTTLS&from=sender@example.org"
                     + "&to=rcpt@example.org&subject=" + subject + "&keyStore=" + aliceP12 + "&keyStorePassword=" + PW
                     + "&trustCertificates=" + trustPem + "&timeout=5000&connectionTimeout=5000";
        return MtlsFixture.send(context, uri, "body of " + subject);
    }

    @Test
    void startTlsServerDeliversWhenItBehaves() {
        // the scripted server's STARTTLS mode itself works, so the faults below are the only difference
        assertNull(send("behaves").getException());
        assertEquals(1, server.countSubject("behaves"));
    }

    @ParameterizedTest(name = "STARTTLS answered {0}")
    @ValueSource(ints = {454, 554})
    void refusedStartTlsKeepsTheReplyCodeAndNamesStartTls(int code) {
        server.failNext(Step.STARTTLS, Fault.reply(code));
        Exchange exchange = send("refused-" + code);

        SmtpsCertSendException e = assertInstanceOf(SmtpsCertSendException.class, exchange.getException());
        LOG.info("STARTTLS answered {} -> {}: {}", code, e.getClass().getSimpleName(), e.getMessage());
        assertEquals(code, e.getReplyCode(), e.getMessage());
        assertEquals(code < 500, e.isTransient(), "4xx is transient, 5xx permanent: " + e.getMessage());
        assertTrue(e.getMessage().contains("localhost:" + server.port() + " refused STARTTLS: " + code),
                e.getMessage());
        assertTrue(e.getMessage().contains("Fix:") && e.getMessage().contains("no plaintext fall-back"),
                e.getMessage());
        assertFalse(e.isPossiblyDelivered());
        assertEquals(0, server.stored().size());
        assertEquals(1, server.connectionCount());
    }

    @Test
    void serverThatAcceptsStartTlsButNeverStartsTlsGetsAStartTlsMessage() {
        server.failNext(Step.STARTTLS, Fault.noTls());
        Exchange exchange = send("no-tls");

        SmtpsCertSendException e = assertInstanceOf(SmtpsCertPermanentException.class, exchange.getException());
        LOG.info("220 to STARTTLS, then plaintext -> {}", e.getMessage());
        assertTrue(e.getMessage().startsWith("tlsMode=STARTTLS: localhost:" + server.port()
                                             + " accepted STARTTLS (220) but then did not start TLS"), e.getMessage());
        assertTrue(e.getMessage().contains("Fix:") && e.getMessage().contains("tlsMode=IMPLICIT"), e.getMessage());
        assertFalse(e.getMessage().contains("does not speak TLS from the first byte"), e.getMessage());
        assertEquals(0, server.stored().size());
    }
}
