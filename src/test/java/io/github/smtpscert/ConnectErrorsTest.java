package io.github.smtpscert;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an exchange says when it cannot get as far as the SMTP transaction: the wrong TLS mode for the port, a server
 * certificate that is not trusted or not valid now, nobody listening. Each message names what was found and the fix.
 */
class ConnectErrorsTest {

    private static final TestPki PKI = TestPki.shared();
    private static final Leaf SERVER = PKI.issueServer("localhost");

    @RegisterExtension
    static final MtlsFixture f = MtlsFixture.perClass(MtlsSmtpServer.builder(PKI, SERVER));

    private static String alice(MtlsFixture fixture) {
        return "keyStore=" + fixture.aliceP12 + "&keyStorePassword=" + MtlsFixture.PW;
    }

    /** A URI to localhost:port with alice's certificate and no trust option; options are appended as given. */
    private static String uri(int port, String options) {
        return "smtps-cert:localhost:" + port + "?from=sender@example.org&to=rcpt@example.org&subject=hello&"
               + alice(f) + "&" + options;
    }

    @Test
    void startTlsAgainstAnImplicitTlsPortSaysThereWasNoGreetingAndWhichModeToUse() throws Exception {
        // the server waits for a TLS ClientHello and this client for the server's 220: neither speaks first
        try (CamelContext ctx = MtlsFixture.context()) {
            Exchange ex = MtlsFixture.send(ctx, uri(f.server.port(), "tlsMode=STARTTLS&timeout=1500&trustCertificates="
                                                                     + f.trustPem), "body");

            SmtpsCertTransientException e = assertInstanceOf(SmtpsCertTransientException.class, ex.getException());
            assertTrue(e.getMessage().contains("no SMTP greeting from localhost:" + f.server.port() + " within 1500 ms"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("set tlsMode=IMPLICIT"), e.getMessage());
            assertFalse(e.isPossiblyDelivered(), e.getMessage());
            assertEquals(0, f.server.deliveries().size());
        }
    }

    @Test
    void serverCertificateFromAnotherCaNamesTheCertificateAndTheTrustCertificatesFile() throws Exception {
        Path otherCa = TestPki.create().writeTrustPem(f.dir, "other-ca.pem");
        try (CamelContext ctx = MtlsFixture.context()) {
            Exchange ex = MtlsFixture.send(ctx, uri(f.server.port(), "tlsMode=IMPLICIT&trustCertificates=" + otherCa),
                    "body");

            SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
            assertNamesTheServerCertificate(e);
            assertTrue(e.getMessage().contains("is not trusted by trustCertificates=" + otherCa), e.getMessage());
            assertTrue(e.getMessage().contains("Fix: set trustStore or trustCertificates")
                       && e.getMessage().contains("or add that CA to trustCertificates=" + otherCa), e.getMessage());
            assertEquals(0, f.server.deliveries().size());
        }
    }

    @Test
    void serverCertificateFromAnotherCaNamesTheTrustStore() throws Exception {
        String trustPassword = "trust-store-pw-9";
        Path otherCa = TestPki.create().writeTrustStore(f.dir, "other-ca.p12", trustPassword.toCharArray(), "PKCS12");
        try (CamelContext ctx = MtlsFixture.context()) {
            Exchange ex = MtlsFixture.send(ctx, uri(f.server.port(), "tlsMode=IMPLICIT&trustStore=" + otherCa
                                                                     + "&trustStorePassword=" + trustPassword), "body");

            SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
            assertNamesTheServerCertificate(e);
            assertTrue(e.getMessage().contains("is not trusted by trustStore=" + otherCa), e.getMessage());
            assertTrue(e.getMessage().contains("Fix: set trustStore or trustCertificates"), e.getMessage());
            assertFalse(e.getMessage().contains(trustPassword), e.getMessage());
            assertEquals(0, f.server.deliveries().size());
        }
    }

    private static void assertNamesTheServerCertificate(SmtpsCertPermanentException e) {
        String issuer = SERVER.certificate().getIssuerX500Principal().getName();
        assertTrue(e.getMessage().contains("the certificate of localhost:" + f.server.port()), e.getMessage());
        assertTrue(e.getMessage().contains("subject " + SERVER.subjectDn()), e.getMessage());
        assertTrue(e.getMessage().contains("issuer " + issuer), e.getMessage());
        assertTrue(issuer.contains("Test Intermediate CA"), issuer); // the name JSSE's own message never shows
    }

    @Test
    void expiredServerCertificateSaysExpiredWithItsDatesNotUntrusted() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        assertOutsideItsValidity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
    }

    @Test
    void notYetValidServerCertificateSaysSoWithItsDates() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        assertOutsideItsValidity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
    }

    /** A server whose certificate, from the CA the client trusts, is valid only from notBefore to notAfter. */
    private static void assertOutsideItsValidity(Instant notBefore, Instant notAfter) throws Exception {
        Leaf outdated = PKI.issueServer("localhost", notBefore, notAfter);
        try (MtlsFixture fixture = new MtlsFixture(MtlsSmtpServer.builder(PKI, outdated));
             CamelContext ctx = MtlsFixture.context()) {
            Exchange ex = MtlsFixture.send(ctx, fixture.uri(alice(fixture)), "body");

            SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
            assertTrue(e.getMessage().contains("the certificate of localhost:" + fixture.server.port() + " ("
                                               + outdated.subjectDn() + ") has expired or is not yet valid"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("valid from " + notBefore + " to " + notAfter), e.getMessage());
            assertTrue(e.getMessage().contains("Fix: the server's operator must renew it"), e.getMessage());
            assertFalse(e.getMessage().contains("not trusted"), e.getMessage());
            assertEquals(0, fixture.server.deliveries().size());
        }
    }

    @Test
    void closedPortSaysConnectionRefusedAndWhichPortToCheck() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // free a moment ago, and nobody listens there now
        }
        try (CamelContext ctx = MtlsFixture.context()) {
            Exchange ex = MtlsFixture.send(ctx, uri(port, "tlsMode=IMPLICIT&trustCertificates=" + f.trustPem), "body");

            SmtpsCertTransientException e = assertInstanceOf(SmtpsCertTransientException.class, ex.getException());
            assertTrue(e.getMessage().contains("cannot connect to localhost:" + port + ": connection refused. "
                                               + "Fix: check that the server listens on port " + port), e.getMessage());
            assertFalse(e.isPossiblyDelivered(), e.getMessage());
        }
    }
}
