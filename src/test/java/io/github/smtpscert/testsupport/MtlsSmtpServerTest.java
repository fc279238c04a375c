package io.github.smtpscert.testsupport;

import java.security.KeyStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.github.smtpscert.testsupport.MtlsSmtpServer.ClientAuth;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Talks to {@link MtlsSmtpServer} with plain Angus Mail to show what the server accepts and records. */
class MtlsSmtpServerTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    private static TestPki pki;
    private static Leaf serverLeaf;
    private static Leaf rsaClient;

    private MtlsSmtpServer server;

    @BeforeAll
    static void createPki() {
        pki = TestPki.create();
        serverLeaf = pki.issueServer("localhost");
        rsaClient = pki.issueClient("client-rsa", KeyAlg.RSA);
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(KeyAlg.class)
    void recordsTheVerifiedClientCertificate(KeyAlg alg) throws Exception {
        Leaf client = alg == KeyAlg.RSA ? rsaClient : pki.issueClient("client-ec", KeyAlg.EC);
        server = MtlsSmtpServer.start(pki, serverLeaf);

        send(clientContext(client), "hello");

        List<Delivery> deliveries = server.deliveries();
        assertEquals(1, deliveries.size());
        Delivery delivery = deliveries.get(0);
        assertEquals(client.subjectDn(), delivery.clientSubjectDn());
        assertEquals(client.sha256Hex(), delivery.clientCertSha256Hex());
        assertEquals("hello", delivery.message().getSubject());
        assertEquals(List.of("to@example.org"), delivery.envelopeRecipients());
        assertFalse(delivery.sessionResumed());
        assertEquals(1, delivery.connectionId());
        assertEquals(1, server.connectionCount());
        assertEquals(1, server.fullHandshakes());
        assertEquals(0, server.resumedHandshakes());
    }

    @Test
    void refusesClientWithoutCertificate() throws Exception {
        server = MtlsSmtpServer.start(pki, serverLeaf);

        assertThrows(MessagingException.class, () -> send(clientContext(null), "anonymous"));

        assertTrue(server.deliveries().isEmpty());
        assertEquals(0, server.fullHandshakes() + server.resumedHandshakes());
    }

    @Test
    void refusesCertificateFromUntrustedCa() throws Exception {
        Leaf stranger = TestPki.create().issueClient("stranger", KeyAlg.RSA);
        server = MtlsSmtpServer.start(pki, serverLeaf);

        assertThrows(MessagingException.class, () -> send(clientContext(stranger), "untrusted"));

        assertTrue(server.deliveries().isEmpty());
    }

    @Test
    void refusesExpiredCertificate() throws Exception {
        Instant now = Instant.now();
        Leaf expired = pki.issueClient("expired", KeyAlg.EC, now.minus(30, ChronoUnit.DAYS), now.minus(1, ChronoUnit.DAYS));
        server = MtlsSmtpServer.start(pki, serverLeaf);

        assertThrows(MessagingException.class, () -> send(clientContext(expired), "expired"));

        assertTrue(server.deliveries().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void secondConnectionWithSameContextResumesTheSession(String protocol) throws Exception {
        server = MtlsSmtpServer.builder(pki, serverLeaf).protocols(protocol).start();
        SSLContext context = clientContext(rsaClient);

        send(context, "first");
        send(context, "second");

        assertEquals(2, server.connectionCount());
        assertEquals(1, server.fullHandshakes());
        assertEquals(1, server.resumedHandshakes());
        List<Delivery> deliveries = server.deliveries();
        assertEquals(2, deliveries.size());
        assertFalse(deliveries.get(0).sessionResumed());
        assertTrue(deliveries.get(1).sessionResumed());
        assertNotEquals(deliveries.get(0).connectionId(), deliveries.get(1).connectionId());
        for (Delivery delivery : deliveries) {
            assertEquals(protocol, delivery.tlsProtocol());
            // A resumed session still carries the certificate verified in the full handshake.
            assertEquals(rsaClient.sha256Hex(), delivery.clientCertSha256Hex());
        }
    }

    @Test
    void freshContextMeansFullHandshake() throws Exception {
        server = MtlsSmtpServer.start(pki, serverLeaf);

        send(clientContext(rsaClient), "first");
        send(clientContext(rsaClient), "second");

        assertEquals(2, server.fullHandshakes());
        assertEquals(0, server.resumedHandshakes());
    }

    @Test
    void correlatesMessagesWithTheirConnectionUnderConcurrency() throws Exception {
        List<Leaf> clients = List.of(rsaClient, pki.issueClient("client-a", KeyAlg.EC), pki.issueClient("client-b", KeyAlg.EC));
        Map<String, Leaf> clientsByCn = clients.stream().collect(Collectors.toMap(Leaf::cn, Function.identity()));
        server = MtlsSmtpServer.start(pki, serverLeaf);
        int rounds = 4;

        ExecutorService pool = Executors.newFixedThreadPool(clients.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Void>> results = new ArrayList<>();
            for (Leaf client : clients) {
                SSLContext context = clientContext(client);
                Callable<Void> task = () -> {
                    go.await();
                    for (int i = 0; i < rounds; i++) {
                        send(context, client.cn());
                    }
                    return null;
                };
                results.add(pool.submit(task));
            }
            go.countDown();
            for (Future<Void> result : results) {
                result.get();
            }
        } finally {
            pool.shutdownNow();
        }

        List<Delivery> deliveries = server.deliveries();
        assertEquals(clients.size() * rounds, deliveries.size());
        for (Delivery delivery : deliveries) {
            Leaf sender = clientsByCn.get(delivery.message().getSubject());
            assertEquals(sender.sha256Hex(), delivery.clientCertSha256Hex(), "connection " + delivery.connectionId());
        }
        assertEquals(clients.size() * rounds, server.connectionCount());
        assertEquals(clients.size() * rounds, deliveries.stream().map(Delivery::connectionId).distinct().count());
    }

    @Test
    void severalMessagesOnOneConnectionShareItsId() throws Exception {
        server = MtlsSmtpServer.start(pki, serverLeaf);
        Session session = session(clientContext(rsaClient));

        try (Transport transport = session.getTransport("smtps")) {
            transport.connect();
            MimeMessage first = message(session, "one");
            MimeMessage second = message(session, "two");
            transport.sendMessage(first, first.getAllRecipients());
            transport.sendMessage(second, second.getAllRecipients());
        }

        List<Delivery> deliveries = server.deliveries();
        assertEquals(2, deliveries.size());
        assertEquals(deliveries.get(0).connectionId(), deliveries.get(1).connectionId());
        assertEquals(1, server.connectionCount());
    }

    @Test
    void anonymousClientIsAcceptedWhenCertificateIsOnlyWanted() throws Exception {
        server = MtlsSmtpServer.builder(pki, serverLeaf).clientAuth(ClientAuth.WANT).start();

        send(clientContext(null), "anonymous");

        Delivery delivery = server.deliveries().get(0);
        assertNull(delivery.clientSubjectDn());
        assertNull(delivery.clientCertSha256Hex());
    }

    @Test
    void closeAllConnectionsDropsAnOpenConnection() throws Exception {
        server = MtlsSmtpServer.start(pki, serverLeaf);
        Session session = session(clientContext(rsaClient));

        Transport transport = session.getTransport("smtps");
        try {
            transport.connect();
            MimeMessage first = message(session, "before");
            transport.sendMessage(first, first.getAllRecipients());

            server.closeAllConnections();

            MimeMessage second = message(session, "after");
            assertThrows(MessagingException.class, () -> transport.sendMessage(second, second.getAllRecipients()));
        } finally {
            closeQuietly(transport);
        }

        send(clientContext(rsaClient), "reconnected");
        assertEquals(List.of("before", "reconnected"), subjects(server.deliveries()));
        assertEquals(2, server.connectionCount());
    }

    @Test
    void acceptsAnyLoginByDefault() throws Exception {
        server = MtlsSmtpServer.start(pki, serverLeaf);
        Properties extra = new Properties();
        extra.put("mail.smtps.auth", "true");
        Session session = session(clientContext(rsaClient), extra);

        try (Transport transport = session.getTransport("smtps")) {
            transport.connect("someone", "whatever");
            MimeMessage message = message(session, "authenticated");
            transport.sendMessage(message, message.getAllRecipients());
        }

        assertEquals(List.of("authenticated"), subjects(server.deliveries()));
    }

    // ---- plain Angus Mail client ----

    /** Client context presenting {@code leaf} (none if null) and trusting the PKI root. */
    private static SSLContext clientContext(Leaf leaf) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        KeyStore keyStore = leaf == null ? null : leaf.keyStore(PASSWORD);
        kmf.init(keyStore, PASSWORD);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(pki.trustStore());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    private Session session(SSLContext context) {
        return session(context, new Properties());
    }

    private Session session(SSLContext context, Properties extra) {
        Properties props = new Properties();
        props.put("mail.smtps.host", server.host());
        props.put("mail.smtps.port", String.valueOf(server.port()));
        props.put("mail.smtps.ssl.socketFactory", context.getSocketFactory());
        props.put("mail.smtps.ssl.checkserveridentity", "true");
        props.put("mail.smtps.connectiontimeout", "10000");
        props.put("mail.smtps.timeout", "10000");
        props.putAll(extra);
        return Session.getInstance(props);
    }

    private void send(SSLContext context, String subject) throws MessagingException {
        Session session = session(context);
        MimeMessage message = message(session, subject);
        try (Transport transport = session.getTransport("smtps")) {
            transport.connect();
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    private static MimeMessage message(Session session, String subject) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("from@example.org"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("to@example.org"));
        message.setSubject(subject);
        message.setText("body of " + subject);
        return message;
    }

    private static void closeQuietly(Transport transport) {
        try {
            transport.close();
        } catch (MessagingException e) {
            // the server already dropped the connection; QUIT cannot succeed
        }
    }

    private static List<String> subjects(List<Delivery> deliveries) throws MessagingException {
        List<String> subjects = new ArrayList<>();
        for (Delivery delivery : deliveries) {
            subjects.add(delivery.message().getSubject());
        }
        return subjects;
    }
}
