package io.github.smtpscert;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.github.smtpscert.testsupport.FaultySmtpServer;
import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.OpensslServer;
import io.github.smtpscert.testsupport.StartTlsFront;
import io.github.smtpscert.testsupport.TempDirs;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A server that refuses the client certificate with a TLS alert and closes must be reported as the permanent "rejected
 * the client certificate" every time, never as a transient broken pipe or connection reset. With TLS 1.3 the client's
 * handshake is over before the server has looked at the certificate, so the client writes (EHLO after STARTTLS) or
 * reads before the alert has been processed; a JSSE server closes with the client's last handshake records unread, so
 * its TCP stack answers with a reset that the client may see first.
 * <p>
 * Each case sends {@value #ATTEMPTS} times: the race went the wrong way in most attempts against JSSE with STARTTLS.
 */
class RejectedClientCertificateTest {

    private static final Logger LOG = LoggerFactory.getLogger(RejectedClientCertificateTest.class);
    private static final int ATTEMPTS = 20;
    private static final String PW = "s3cret-pw";

    private static TestPki pki;
    private static Path dir;
    private static Path trustPem;
    private static Path malloryP12;
    private static Leaf serverLeaf;

    private CamelContext context;

    @BeforeAll
    static void pki() {
        pki = TestPki.shared();
        dir = TempDirs.create("smtps-cert-rejected");
        trustPem = pki.writeTrustPem(dir, "trust.pem");
        // issued by a CA that neither server trusts
        Leaf mallory = TestPki.create().issueClient("mallory", KeyAlg.RSA);
        malloryP12 = mallory.writePkcs12(dir, "mallory.p12", PW.toCharArray(), PW.toCharArray());
        serverLeaf = pki.issueServer("localhost");
    }

    @AfterAll
    static void cleanUp() {
        TempDirs.delete(dir);
    }

    @BeforeEach
    void start() throws Exception {
        context = MtlsFixture.context();
    }

    @AfterEach
    void stop() throws Exception {
        context.close();
    }

    static Stream<Arguments> modes() {
        return Stream.of(Arguments.of(TlsMode.IMPLICIT, true), Arguments.of(TlsMode.IMPLICIT, false),
                Arguments.of(TlsMode.STARTTLS, true), Arguments.of(TlsMode.STARTTLS, false));
    }

    @ParameterizedTest(name = "tlsMode={0}, poolEnabled={1}")
    @MethodSource("modes")
    void jsseServerRefusingTheCertificateIsPermanentEveryTime(TlsMode mode, boolean pooled) {
        try (FaultySmtpServer server = mode == TlsMode.IMPLICIT ? new FaultySmtpServer(pki, serverLeaf)
                : FaultySmtpServer.startTls(pki, serverLeaf)) {
            assertAlwaysPermanent("JSSE", mode, pooled, server.port());
            assertEquals(ATTEMPTS, server.connectionCount(), "one connection per attempt, none retried");
        }
    }

    @ParameterizedTest(name = "tlsMode={0}, poolEnabled={1}")
    @MethodSource("modes")
    void opensslServerRefusingTheCertificateIsPermanentEveryTime(TlsMode mode, boolean pooled) {
        OpensslServer.assumeAvailable();
        Path chain = serverLeaf.writeCertChainPem(dir, "server-chain.pem");
        Path key = serverLeaf.writeKeyPkcs8(dir, "server-key.pem");
        // trusts only the shared PKI, which did not issue mallory's certificate
        try (OpensslServer openssl = OpensslServer.requiringClientCertificate(chain, key, trustPem)) {
            if (mode == TlsMode.IMPLICIT) {
                assertAlwaysPermanent("openssl s_server", mode, pooled, openssl.port());
            } else {
                try (StartTlsFront front = new StartTlsFront(openssl.port())) {
                    assertAlwaysPermanent("openssl s_server", mode, pooled, front.port());
                }
            }
        }
    }

    private void assertAlwaysPermanent(String serverKind, TlsMode mode, boolean pooled, int port) {
        String uri = "smtps-cert:localhost:" + port + "?tlsMode=" + mode + "&poolEnabled=" + pooled
                     + "&from=sender@example.org&to=rcpt@example.org&subject=hello&keyStore=" + malloryP12
                     + "&keyStorePassword=" + PW + "&trustCertificates=" + trustPem
                     + "&timeout=10000&connectionTimeout=10000";
        ProducerTemplate template = context.createProducerTemplate();
        Map<String, Integer> outcomes = new TreeMap<>();
        int permanent = 0;
        for (int i = 0; i < ATTEMPTS; i++) {
            Exchange exchange = template.send(uri, ex -> ex.getMessage().setBody("must not be sent"));
            Exception e = exchange.getException();
            String outcome = e == null ? "sent" : e.getClass().getSimpleName() + ": " + e.getMessage();
            outcomes.merge(outcome, 1, Integer::sum);
            if (e instanceof SmtpsCertPermanentException p && p.getMessage().contains("rejected the client certificate")
                && p.getMessage().contains("mallory") && p.getMessage().contains("Fix:")) {
                permanent++;
            }
        }
        LOG.info("{} tlsMode={} poolEnabled={}: {} of {} permanent; outcomes {}", serverKind, mode, pooled, permanent,
                ATTEMPTS, outcomes);
        assertEquals(ATTEMPTS, permanent, serverKind + " refusing the client certificate, tlsMode=" + mode
                + ": every attempt must fail permanently as 'rejected the client certificate'; outcomes: " + outcomes);
    }
}
