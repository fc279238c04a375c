package io.github.smtpscert.it;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.github.smtpscert.SmtpsCertConstants;
import io.github.smtpscert.SmtpsCertEndpoint;
import io.github.smtpscert.SmtpsCertPermanentException;
import io.github.smtpscert.SmtpsCertTransientException;
import io.github.smtpscert.it.PostfixServer.Client;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Sends through a real Postfix that requires a verified client certificate (set up by .ci/postfix-setup.sh) and
 * checks, in the delivered mail, which certificate Postfix verified.
 */
class PostfixDeliveryIT {

    private static PostfixServer postfix;

    private CamelContext context;
    private ProducerTemplate template;
    private String marker;

    @BeforeEach
    void setUp() throws Exception {
        postfix = PostfixServer.require(); // per test, so each one is reported as skipped without Postfix
        postfix.clearMaildir();
        context = new DefaultCamelContext();
        context.start();
        template = context.createProducerTemplate();
        marker = "it-" + UUID.randomUUID();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (context != null) {
            context.close();
        }
    }

    enum Identity {
        PKCS12, PEM
    }

    enum Trust {
        TRUST_STORE, TRUST_CERTIFICATES
    }

    static Stream<Arguments> deliveries() {
        return Stream.of(
                Arguments.of("465", "", "alice", Identity.PKCS12, Trust.TRUST_CERTIFICATES),
                Arguments.of("465", "tlsMode=IMPLICIT", "bob", Identity.PEM, Trust.TRUST_STORE),
                Arguments.of("587", "tlsMode=STARTTLS", "bob", Identity.PEM, Trust.TRUST_CERTIFICATES),
                Arguments.of("587", "tlsMode=STARTTLS", "alice", Identity.PKCS12, Trust.TRUST_STORE),
                // no tlsMode: port 587 means STARTTLS
                Arguments.of("587", "", "alice", Identity.PKCS12, Trust.TRUST_CERTIFICATES));
    }

    @ParameterizedTest(name = "port {0} {1} as {2} ({3}, {4})")
    @MethodSource("deliveries")
    void deliversAndPostfixVerifiesTheClientCertificate(String port, String tlsMode, String name, Identity identity,
                                                        Trust trust) throws Exception {
        Client client = postfix.client(name);
        String uri = uri(postfix.host() + ":" + port, tlsMode, identity(client, identity), trust(trust));

        Exchange exchange = send(uri, "hello from " + name);

        assertNull(exchange.getException(), () -> "send failed: " + exchange.getException());
        assertTrue(exchange.getMessage().getHeader(SmtpsCertConstants.CLIENT_CERTIFICATE, String.class)
                .contains("CN=" + name));
        MimeMessage delivered = single(postfix.awaitMessages(marker, 1));
        assertVerifiedClient(delivered, name);
        assertEquals(exchange.getMessage().getHeader(SmtpsCertConstants.MESSAGE_ID), delivered.getMessageID());
        assertTrue(String.valueOf(delivered.getContent()).contains("hello from " + name));
    }

    @Test
    void certificateFromAnUntrustedCaIsRejectedAndNothingIsDelivered() throws Exception {
        Client mallory = postfix.client("mallory");
        for (String port : List.of("465", "587")) {
            Exchange exchange = send(uri(postfix.host() + ":" + port, "", identity(mallory, Identity.PKCS12),
                    trust(Trust.TRUST_CERTIFICATES)), "from mallory");

            SmtpsCertPermanentException e = permanentFailure(exchange);
            assertTrue(e.getMessage().contains("rejected the client certificate"), e.getMessage());
            assertTrue(e.getMessage().contains("CN=mallory"), e.getMessage());
            assertTrue(e.getMessage().contains("Fix: "), e.getMessage());
        }
        // Postfix refuses in its greeting, before MAIL FROM: nothing can be on its way.
        assertEquals(List.of(), postfix.messages(marker));
    }

    @Test
    void implicitTlsAgainstTheStartTlsPortSaysWhichModeToUse() throws Exception {
        Exchange exchange = send(uri(postfix.host() + ":" + postfix.submissionPort(), "tlsMode=IMPLICIT",
                identity(postfix.client("alice"), Identity.PKCS12), trust(Trust.TRUST_CERTIFICATES)), "wrong mode");

        SmtpsCertPermanentException e = permanentFailure(exchange);
        assertTrue(e.getMessage().contains("tlsMode=IMPLICIT") && e.getMessage().contains("Fix: use tlsMode=STARTTLS"),
                e.getMessage());
        assertEquals(List.of(), postfix.messages(marker));
    }

    @Test
    void startTlsAgainstTheImplicitTlsPortSaysThereWasNoGreetingAndWhichModeToUse() throws Exception {
        // Postfix's 465 (smtpd_tls_wrappermode) waits for a TLS ClientHello while a STARTTLS client waits for the 220
        String server = postfix.host() + ":" + postfix.smtpsPort();
        Exchange exchange = send(uri(server, "tlsMode=STARTTLS&timeout=2000",
                identity(postfix.client("alice"), Identity.PKCS12), trust(Trust.TRUST_CERTIFICATES)), "wrong mode");

        Exception e = exchange.getException();
        if (!(e instanceof SmtpsCertTransientException)) {
            throw new AssertionError("expected a SmtpsCertTransientException, got " + e, e);
        }
        assertTrue(e.getMessage().contains("no SMTP greeting from " + server + " within 2000 ms"), e.getMessage());
        assertTrue(e.getMessage().contains("set tlsMode=IMPLICIT"), e.getMessage());
        assertEquals(List.of(), postfix.messages(marker));
    }

    @Test
    void withoutAClientCertificateTheServerRefusesAndSaysNoneIsConfigured() throws Exception {
        for (String port : List.of("465", "587")) {
            Exchange exchange = send(uri(postfix.host() + ":" + port, "", "", trust(Trust.TRUST_CERTIFICATES)), "anonymous");

            SmtpsCertPermanentException e = permanentFailure(exchange);
            assertTrue(e.getMessage().contains("requires a TLS client certificate and none is configured"), e.getMessage());
        }
        assertEquals(List.of(), postfix.messages(marker));
    }

    @Test
    void pooledEndpointSendsAllMessagesAfterOneHandshake() throws Exception {
        int count = 5;
        String uri = uri(postfix.host() + ":" + postfix.smtpsPort(), "",
                identity(postfix.client("alice"), Identity.PKCS12), trust(Trust.TRUST_STORE));
        for (int i = 0; i < count; i++) {
            Exchange exchange = send(uri, "message " + i);
            assertNull(exchange.getException(), () -> "send failed: " + exchange.getException());
        }

        List<MimeMessage> delivered = postfix.awaitMessages(marker, count);
        assertEquals(count, delivered.size());
        for (MimeMessage message : delivered) {
            assertVerifiedClient(message, "alice");
        }
        SmtpsCertEndpoint stats = context.getEndpoint(uri, SmtpsCertEndpoint.class); // one identity
        assertEquals(count, stats.getMessagesSent());
        assertEquals(1, stats.getFullHandshakes());
        assertEquals(0, stats.getResumedHandshakes());
    }

    @Test
    void withoutPoolingEveryConnectionAfterTheFirstResumesTheTlsSession() throws Exception {
        int count = 6;
        String uri = uri(postfix.host() + ":" + postfix.submissionPort(), "poolEnabled=false",
                identity(postfix.client("bob"), Identity.PEM), trust(Trust.TRUST_CERTIFICATES));
        List<Boolean> resumed = new ArrayList<>();
        List<Boolean> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Exchange exchange = send(uri, "message " + i);
            assertNull(exchange.getException(), () -> "send failed: " + exchange.getException());
            resumed.add(exchange.getMessage().getHeader(SmtpsCertConstants.SESSION_RESUMED, Boolean.class));
            expected.add(i > 0);
        }
        assertEquals(expected, resumed, "CamelSmtpsCertSessionResumed per message");

        List<MimeMessage> delivered = postfix.awaitMessages(marker, count);
        assertEquals(count, delivered.size());
        for (MimeMessage message : delivered) {
            // a resumed session still carries the certificate Postfix verified in the full handshake
            assertVerifiedClient(message, "bob");
        }
        SmtpsCertEndpoint stats = context.getEndpoint(uri, SmtpsCertEndpoint.class); // one identity
        assertEquals(count, stats.getMessagesSent());
        assertEquals(1, stats.getFullHandshakes());
        assertEquals(count - 1, stats.getResumedHandshakes());
    }

    @Test
    void ipAddressMatchesTheServerCertificatesIpSubjectAltName() throws Exception {
        Exchange exchange = send(uri("127.0.0.1:" + postfix.smtpsPort(), "",
                identity(postfix.client("alice"), Identity.PKCS12), trust(Trust.TRUST_CERTIFICATES)), "by address");

        assertNull(exchange.getException(), () -> "send failed: " + exchange.getException());
        assertVerifiedClient(single(postfix.awaitMessages(marker, 1)), "alice");
    }

    @Test
    void hostNameTheServerCertificateDoesNotListIsRefusedUnlessVerificationIsOff() throws Exception {
        // The server certificate lists localhost and 127.0.0.1 only; the machine's own name reaches the same
        // Postfix when it resolves to 127.0.0.1 (Postfix listens on that address only).
        String otherName = InetAddress.getLocalHost().getHostName();
        assumeTrue(!otherName.equalsIgnoreCase("localhost")
                   && InetAddress.getByName(otherName).getHostAddress().equals("127.0.0.1"),
                "the host name '" + otherName + "' does not resolve to 127.0.0.1 (skipping the host name mismatch test)");
        String options = identity(postfix.client("alice"), Identity.PKCS12) + "&" + trust(Trust.TRUST_CERTIFICATES);

        Exchange refused = send(uri(otherName + ":" + postfix.smtpsPort(), "", options), "wrong name");
        SmtpsCertPermanentException e = permanentFailure(refused);
        assertTrue(e.getMessage().contains("does not name host '" + otherName + "'"), () -> causes(e));
        assertEquals(List.of(), postfix.messages(marker));

        Exchange sent = send(uri(otherName + ":" + postfix.smtpsPort(), "verifyHostname=false", options), "unchecked name");
        assertNull(sent.getException(), () -> "send failed: " + sent.getException());
        assertVerifiedClient(single(postfix.awaitMessages(marker, 1)), "alice");
    }

    // --- helpers ---

    private String uri(String hostAndPort, String... options) {
        StringBuilder uri = new StringBuilder("smtps-cert:").append(hostAndPort)
                .append("?from=it@smtpscert.test&to=").append(postfix.recipient()).append("&subject=").append(marker);
        for (String option : options) {
            if (!option.isEmpty()) {
                uri.append('&').append(option);
            }
        }
        return uri.toString();
    }

    private static String identity(Client client, Identity identity) {
        return switch (identity) {
            case PKCS12 -> "keyStore=" + client.keyStore() + "&keyStorePassword=RAW(" + client.keyStorePassword() + ")";
            case PEM -> "certificateFile=" + client.certificateFile() + "&privateKeyFile=" + client.privateKeyFile();
        };
    }

    private static String trust(Trust trust) {
        return switch (trust) {
            case TRUST_STORE -> "trustStore=" + postfix.trustStore() + "&trustStorePassword=RAW(" + postfix.trustStorePassword() + ")";
            case TRUST_CERTIFICATES -> "trustCertificates=" + postfix.trustPem();
        };
    }

    private Exchange send(String uri, String body) {
        return template.send(uri, exchange -> exchange.getMessage().setBody(body));
    }

    private static SmtpsCertPermanentException permanentFailure(Exchange exchange) {
        Exception e = exchange.getException();
        if (!(e instanceof SmtpsCertPermanentException permanent)) {
            throw new AssertionError("expected a SmtpsCertPermanentException, got " + e, e);
        }
        return permanent;
    }

    /** The exception's messages down its cause chain, for failure output. */
    private static String causes(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            all.append("\n  ").append(t.getClass().getName()).append(": ").append(t.getMessage());
        }
        return all.toString();
    }


    private static MimeMessage single(List<MimeMessage> messages) {
        assertEquals(1, messages.size());
        return messages.get(0);
    }

    /** Postfix records the verified client certificate in the Received header it adds (the first one). */
    private static void assertVerifiedClient(MimeMessage message, String cn) throws Exception {
        String[] received = message.getHeader("Received");
        assertNotNull(received, "no Received header");
        String header = received[0].replaceAll("\\s+", " ");
        assertTrue(header.contains("Client CN \"" + cn + "\""), header);
        assertTrue(header.contains("(verified OK)"), header);
    }
}
