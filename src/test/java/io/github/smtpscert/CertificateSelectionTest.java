package io.github.smtpscert;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import io.github.smtpscert.testsupport.OpensslServer;
import io.github.smtpscert.testsupport.TempDirs;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.github.smtpscert.MtlsFixture.PW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Several client certificates (a key store without keyAlias, comma-separated PEM pairs, a List of ClientIdentity):
 * the first, in configured order, whose chain names a CA from the server's list of acceptable CAs is presented; the
 * first when the server sends no list; the first with one WARN when none matches. The server's delivery record says
 * which certificate it verified.
 * <p>
 * The server is {@link MtlsSmtpServer} (JSSE). The premise tests below show that on this JDK it names the CAs of its
 * trust store in the certificate request of TLS 1.3 (certificate_authorities extension) and of TLS 1.2 (the
 * certificate_authorities field) with no system property set; {@code advertisedIssuers(...)} makes it name other CAs
 * or none while it keeps verifying against its trust store, which is what makes "no list" and "none matching"
 * deterministic. openssl s_server (OpenSSL 3.0), which speaks no SMTP, is only probed: it names the subjects of its
 * -CAfile in both versions; with -no_ca_names it sends an empty list in TLS 1.2, and in TLS 1.3 an empty
 * certificate_authorities extension that JSSE refuses.
 */
class CertificateSelectionTest {

    private static final String SELECTING_KEY_MANAGER = "io.github.smtpscert.internal.tls.SelectingKeyManager";
    private static final String IDENTITIES = "io.github.smtpscert.internal.tls.Identities";
    private static final TestPki SERVER_PKI = TestPki.shared();

    private static TestPki caA;
    private static TestPki caB;
    private static TestPki caC;
    private static Leaf serverLeaf;
    /** Issued by caA, configured first. */
    private static Leaf first;
    /** Issued by caB, configured second. */
    private static Leaf second;
    /** Issued by caC. */
    private static Leaf third;
    private static Path dir;
    private static Path trustPem;

    @BeforeAll
    static void pki() {
        caA = TestPki.create();
        caB = TestPki.create();
        caC = TestPki.create();
        serverLeaf = SERVER_PKI.issueServer("localhost");
        first = caA.issueClient("first-from-a", KeyAlg.EC);
        second = caB.issueClient("second-from-b", KeyAlg.EC);
        third = caC.issueClient("third-from-c", KeyAlg.RSA);
        dir = TempDirs.create("smtps-cert-selection");
        trustPem = SERVER_PKI.writeTrustPem(dir, "server-trust.pem");
    }

    @AfterAll
    static void cleanUp() {
        TempDirs.delete(dir);
    }

    // ---- what the test servers send: the premise of the tests below ----

    @ParameterizedTest
    @ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
    void jsseServerNamesTheCasOfItsTrustStore(String protocol) throws Exception {
        try (MtlsSmtpServer server = server(caB).protocols(protocol).start()) {
            assertEquals(List.of(caB.root().getSubjectX500Principal()), requestedIssuers(server.port(), protocol));
        }
        try (MtlsSmtpServer server = server(caA, caB).advertisedIssuers().protocols(protocol).start()) {
            assertEquals(List.of(), requestedIssuers(server.port(), protocol), "advertisedIssuers() names no CA");
        }
        try (MtlsSmtpServer server = server(caA, caB).advertisedIssuers(caC.root()).protocols(protocol).start()) {
            assertEquals(List.of(caC.root().getSubjectX500Principal()), requestedIssuers(server.port(), protocol));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
    void opensslServerNamesItsCaFileUnlessToldNotTo(String protocol) throws Exception {
        OpensslServer.assumeAvailable();
        Path chain = serverLeaf.writeCertChainPem(dir, "server-chain.pem");
        Path key = serverLeaf.writeKeyPkcs8(dir, "server-key.pem");
        Path caBPem = caB.writeTrustPem(dir, "ca-b.pem");
        try (OpensslServer server = OpensslServer.requiringClientCertificate(chain, key, caBPem)) {
            assertEquals(List.of(caB.root().getSubjectX500Principal()), requestedIssuers(server.port(), protocol),
                    server::output);
        }
    }

    /**
     * TLS 1.2 only: OpenSSL 3.0 with -no_ca_names still sends the TLS 1.3 certificate_authorities extension, holding
     * an empty list (bytes 00 00), which RFC 8446 does not allow (at least 3 bytes); JDK 17's client refuses it and
     * the handshake fails ("Invalid certificate_authorities extension: insufficient data").
     */
    @Test
    void opensslServerWithNoCaNamesSendsAnEmptyListInTls12() throws Exception {
        OpensslServer.assumeAvailable();
        Path chain = serverLeaf.writeCertChainPem(dir, "server-chain.pem");
        Path key = serverLeaf.writeKeyPkcs8(dir, "server-key.pem");
        Path caBPem = caB.writeTrustPem(dir, "ca-b.pem");
        try (OpensslServer server = OpensslServer.requiringClientCertificate(chain, key, caBPem, "-no_ca_names")) {
            assertEquals(List.of(), requestedIssuers(server.port(), "TLSv1.2"), server::output);
        }
    }

    // ---- comma-separated PEM pairs ----

    @ParameterizedTest
    @ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
    void theCertificateFromACaTheServerNamesIsPresented(String protocol) throws Exception {
        // the server trusts only caB: presenting the first certificate would be refused
        try (MtlsSmtpServer server = server(caB).protocols(protocol).start(); CamelContext ctx = MtlsFixture.context()) {
            Exchange ex = send(ctx, uri(server, pemPairs(first, second)));
            assertPresented(server, ex, second);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
    void withoutACaListTheFirstInConfiguredOrderIsPresented(String protocol) throws Exception {
        try (MtlsSmtpServer server = server(caA, caB).advertisedIssuers().protocols(protocol).start();
             CamelContext ctx = MtlsFixture.context()) {
            assertPresented(server, send(ctx, uri(server, pemPairs(first, second))), first);
            assertPresented(server, send(ctx, uri(server, pemPairs(second, first))), second);
        }
    }

    @Test
    void noneMatchingPresentsTheFirstWithOneWarn() throws Exception {
        // the server verifies against caA and caB but names only caC
        try (MtlsSmtpServer server = server(caA, caB).advertisedIssuers(caC.root()).start();
             CamelContext ctx = MtlsFixture.context();
             LogCapture log = new LogCapture(SELECTING_KEY_MANAGER)) {
            String uri = uri(server, pemPairs(first, second));
            for (int i = 0; i < 3; i++) {
                assertPresented(server, send(ctx, uri), first);
            }
            List<String> warnings = log.warnings();
            assertEquals(1, warnings.size(), warnings::toString);
            String warning = warnings.get(0);
            assertTrue(warning.contains(caC.root().getSubjectX500Principal().getName()), warning);
            assertTrue(warning.contains(first.subjectDn()) && warning.contains(second.subjectDn()), warning);
        }
    }

    /**
     * Without pooling and session cache every message makes a full handshake with a new TLS context: still one WARN
     * for the endpoint, not one per message.
     */
    @Test
    void noneMatchingWarnsOnceAlsoWhenEveryMessageMakesAFullHandshake() throws Exception {
        try (MtlsSmtpServer server = server(caA, caB).advertisedIssuers(caC.root()).start();
             CamelContext ctx = MtlsFixture.context();
             LogCapture log = new LogCapture(SELECTING_KEY_MANAGER)) {
            String uri = uri(server, pemPairs(first, second) + "&poolEnabled=false&sslSessionCacheEnabled=false");
            for (int i = 0; i < 3; i++) {
                assertPresented(server, send(ctx, uri), first);
            }
            assertEquals(3, server.fullHandshakes());
            assertEquals(1, log.warnings().size(), () -> "one WARN for three handshakes: " + log.warnings());
        }
    }

    @Test
    void aMatchLogsNoWarning() throws Exception {
        try (MtlsSmtpServer server = server(caB).start(); CamelContext ctx = MtlsFixture.context();
             LogCapture log = new LogCapture(SELECTING_KEY_MANAGER)) {
            assertPresented(server, send(ctx, uri(server, pemPairs(first, second))), second);
            assertEquals(List.of(), log.warnings());
        }
    }

    @Test
    void anExpiredMemberIsLeftOutWithAWarn() throws Exception {
        Instant now = Instant.now();
        Leaf expired = caA.issueClient("expired-from-a", KeyAlg.EC, now.minus(Duration.ofDays(30)),
                now.minus(Duration.ofDays(1)));
        // no CA list: without the date check the expired first member would be presented, and refused
        try (MtlsSmtpServer server = server(caA, caB).advertisedIssuers().start();
             CamelContext ctx = MtlsFixture.context();
             LogCapture log = new LogCapture(IDENTITIES)) {
            assertPresented(server, send(ctx, uri(server, pemPairs(expired, second))), second);
            List<String> warnings = log.warnings("outside their validity dates");
            assertEquals(1, warnings.size(), log.warnings()::toString);
            assertTrue(warnings.get(0).contains(expired.subjectDn()), warnings.get(0));
        }
    }

    @Test
    void moreCertificateFilesThanKeyFilesIsAConfigurationErrorNamingPrivateKeyFile() throws Exception {
        Pem a = pem(first);
        Pem b = pem(second);
        String message = configurationError("certificateFile=" + a.chain + "," + b.chain + "&privateKeyFile=" + a.key);
        assertTrue(message.startsWith("privateKeyFile="), message);
        assertTrue(message.contains("lists 1 file(s) but certificateFile lists 2"), message);
    }

    @Test
    void moreKeyFilesThanCertificateFilesIsAConfigurationErrorNamingPrivateKeyFile() throws Exception {
        Pem a = pem(first);
        Pem b = pem(second);
        String message = configurationError("certificateFile=" + a.chain + "&privateKeyFile=" + a.key + "," + b.key);
        assertTrue(message.startsWith("privateKeyFile="), message);
        assertTrue(message.contains("lists 2 file(s) but certificateFile lists 1"), message);
    }

    // ---- a key store with several key entries ----

    @Test
    void keyStoreWithoutKeyAliasChoosesByTheServersList() throws Exception {
        String options = "keyStore=" + twoEntryStore() + "&keyStorePassword=" + PW;
        try (MtlsSmtpServer server = server(caB).start(); CamelContext ctx = MtlsFixture.context()) {
            assertPresented(server, send(ctx, uri(server, options)), second);
        }
    }

    @Test
    void keyStoreWithoutKeyAliasAndNoCaListPresentsTheFirstInAliasOrder() throws Exception {
        // "zeta" was added first; "alpha" sorts first
        String options = "keyStore=" + twoEntryStore() + "&keyStorePassword=" + PW;
        try (MtlsSmtpServer server = server(caA, caB).advertisedIssuers().start();
             CamelContext ctx = MtlsFixture.context()) {
            assertPresented(server, send(ctx, uri(server, options)), first);
        }
    }

    @Test
    void keyAliasPinsOneCertificateWhateverTheServerNames() throws Exception {
        // the server names only caA but verifies against both: without keyAlias "alpha" (caA) would be presented
        String options = "keyStore=" + twoEntryStore() + "&keyStorePassword=" + PW;
        try (MtlsSmtpServer server = server(caA, caB).advertisedIssuers(caA.root()).start();
             CamelContext ctx = MtlsFixture.context()) {
            assertPresented(server, send(ctx, uri(server, options)), first);
            assertPresented(server, send(ctx, uri(server, options + "&keyAlias=zeta")), second);
        }
    }

    // ---- a List of ClientIdentity beans ----

    @Test
    void listOfClientIdentityBeansIsTriedInOrder() throws Exception {
        try (MtlsSmtpServer named = server(caB).start();
             MtlsSmtpServer unnamed = server(caA, caB).advertisedIssuers().start();
             CamelContext ctx = MtlsFixture.context()) {
            ctx.getRegistry().bind("identities", List.of(ClientIdentity.of(first.key(), first.chain()),
                    ClientIdentity.of(second.key(), second.chain())));
            assertPresented(named, send(ctx, uri(named, "clientCertificates=#identities")), second);
            assertPresented(unnamed, send(ctx, uri(unnamed, "clientCertificates=#identities")), first);
        }
    }

    @Test
    void listWithSomethingOtherThanClientIdentityIsAConfigurationError() throws Exception {
        try (CamelContext ctx = MtlsFixture.context()) {
            ctx.getRegistry().bind("identities", List.of(ClientIdentity.of(first.key(), first.chain()), "not one"));
            String uri = "smtps-cert:localhost:9?tlsMode=IMPLICIT&from=sender@example.org&to=rcpt@example.org"
                         + "&trustCertificates=" + trustPem + "&clientCertificates=#identities";
            String message = configurationErrorOf(ctx, uri);
            assertTrue(message.startsWith("clientCertificates="), message);
            assertTrue(message.contains("ClientIdentity"), message);
        }
    }

    // ---- TLS sessions are kept per whole set ----

    /**
     * The set {first, second} presents first here, as does the key store entry "alpha" alone picked by the header:
     * the same certificate, yet two identities, so neither resumes the other's session.
     */
    @Test
    void aSetAndItsFirstCertificateAloneNeverResumeEachOthersSessions() throws Exception {
        try (MtlsSmtpServer server = server(caA, caB).advertisedIssuers().start();
             CamelContext ctx = MtlsFixture.context()) {
            String uri = uri(server, "keyStore=" + twoEntryStore() + "&keyStorePassword=" + PW
                                     + "&allowIdentityFromHeader=true&poolEnabled=false");
            List<Exchange> sent = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                sent.add(send(ctx, uri, null));
                sent.add(send(ctx, uri, "alpha"));
            }
            List<Delivery> deliveries = server.deliveries();
            assertEquals(4, deliveries.size());
            deliveries.forEach(d -> assertEquals(first.sha256Hex(), d.clientCertSha256Hex()));
            assertEquals(List.of(false, false, true, true), deliveries.stream().map(Delivery::sessionResumed).toList());
            assertEquals(List.of(false, false, true, true),
                    sent.stream().map(ex -> ex.getMessage().getHeader(SmtpsCertConstants.SESSION_RESUMED)).toList());
            assertEquals(2, server.fullHandshakes());
        }
    }

    @Test
    void twoEndpointsWithSetsSharingTheFirstCertificateNeverResumeEachOthersSessions() throws Exception {
        try (MtlsSmtpServer server = server(caA).advertisedIssuers().start(); CamelContext ctx = MtlsFixture.context()) {
            String withSecond = uri(server, pemPairs(first, second) + "&poolEnabled=false");
            String withThird = uri(server, pemPairs(first, third) + "&poolEnabled=false");
            for (int i = 0; i < 2; i++) {
                send(ctx, withSecond);
                send(ctx, withThird);
            }
            List<Delivery> deliveries = server.deliveries();
            assertEquals(4, deliveries.size());
            deliveries.forEach(d -> assertEquals(first.sha256Hex(), d.clientCertSha256Hex()));
            assertEquals(List.of(false, false, true, true), deliveries.stream().map(Delivery::sessionResumed).toList());
        }
    }

    // ---- helpers ----

    /** A server presenting serverLeaf (trusted through trustPem) that verifies client certificates of these CAs. */
    private static MtlsSmtpServer.Builder server(TestPki... trusted) {
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < trusted.length; i++) {
                store.setCertificateEntry("root-" + i, trusted[i].root());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return MtlsSmtpServer.builder(SERVER_PKI, serverLeaf).trustStore(store);
    }

    private static String uri(MtlsSmtpServer server, String options) {
        return "smtps-cert:localhost:" + server.port() + "?tlsMode=IMPLICIT&from=sender@example.org"
               + "&to=rcpt@example.org&subject=selection&reloadInterval=0&trustCertificates=" + trustPem + "&" + options;
    }

    private record Pem(Path chain, Path key) {
    }

    private static Pem pem(Leaf leaf) {
        return new Pem(leaf.writeCertChainPem(dir, leaf.cn() + "-chain.pem"), leaf.writeKeyPkcs8(dir, leaf.cn() + "-key.pem"));
    }

    /** certificateFile and privateKeyFile listing the leaves' files in this order. */
    private static String pemPairs(Leaf... leaves) {
        List<Pem> pems = Arrays.stream(leaves).map(CertificateSelectionTest::pem).toList();
        return "certificateFile=" + String.join(",", pems.stream().map(p -> p.chain.toString()).toList())
               + "&privateKeyFile=" + String.join(",", pems.stream().map(p -> p.key.toString()).toList());
    }

    /** PKCS12 with "zeta" (second, caB) added before "alpha" (first, caA). */
    private static Path twoEntryStore() {
        Map<String, Leaf> entries = new LinkedHashMap<>();
        entries.put("zeta", second);
        entries.put("alpha", first);
        return TestPki.writeKeyStore(dir.resolve("two-entries.p12"), "PKCS12", PW.toCharArray(), entries);
    }

    private static Exchange send(CamelContext ctx, String uri) {
        return send(ctx, uri, null);
    }

    private static Exchange send(CamelContext ctx, String uri, String keyAlias) {
        ProducerTemplate template = ctx.createProducerTemplate();
        Exchange ex = template.send(uri, exchange -> {
            exchange.getMessage().setBody("which certificate?");
            if (keyAlias != null) {
                exchange.getMessage().setHeader(SmtpsCertConstants.KEY_ALIAS, keyAlias);
            }
        });
        assertNull(ex.getException(), () -> "send failed: " + ex.getException());
        return ex;
    }

    /** The server verified the leaf on the last delivery, and the exchange's header names it. */
    private static void assertPresented(MtlsSmtpServer server, Exchange ex, Leaf leaf) {
        List<Delivery> deliveries = server.deliveries();
        assertFalse(deliveries.isEmpty());
        assertEquals(leaf.sha256Hex(), deliveries.get(deliveries.size() - 1).clientCertSha256Hex(),
                () -> "expected " + leaf + " to be presented");
        assertEquals(leaf.subjectDn(), ex.getMessage().getHeader(SmtpsCertConstants.CLIENT_CERTIFICATE));
    }

    private static String configurationError(String options) throws Exception {
        try (CamelContext ctx = MtlsFixture.context()) {
            return configurationErrorOf(ctx, "smtps-cert:localhost:9?tlsMode=IMPLICIT&from=sender@example.org"
                                             + "&to=rcpt@example.org&trustCertificates=" + trustPem + "&" + options);
        }
    }

    /** The message of the SmtpsCertConfigurationException that creating and starting the endpoint fails with. */
    private static String configurationErrorOf(CamelContext ctx, String uri) {
        Exception e = assertThrows(Exception.class, () -> ctx.getEndpoint(uri).start());
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SmtpsCertConfigurationException config) {
                assertNotNull(config.getMessage());
                return config.getMessage();
            }
        }
        return fail("no SmtpsCertConfigurationException in the causes of " + e, e);
    }

    /**
     * The CA names the server's certificate request carried, as JSSE hands them to the client's key manager; empty
     * when it carried none (TLS 1.3 without the extension, TLS 1.2 with an empty list). Presents {@link #second}.
     */
    private static List<Principal> requestedIssuers(int port, String protocol) throws Exception {
        AtomicReference<Principal[]> requested = new AtomicReference<>();
        AtomicReference<Boolean> asked = new AtomicReference<>(false);
        AtomicReference<IOException> failure = new AtomicReference<>();
        X509ExtendedKeyManager recording = new X509ExtendedKeyManager() {
            @Override
            public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
                asked.set(true);
                requested.set(issuers);
                return "client";
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] { "client" };
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return second.chain();
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return second.key();
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }

            @Override
            public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
                return chooseClientAlias(keyTypes, issuers, null);
            }
        };
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(SERVER_PKI.trustStore());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] { recording }, trust.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] { protocol });
            socket.startHandshake();
            assertEquals(protocol, socket.getSession().getProtocol());
        } catch (IOException e) {
            // the server may refuse the certificate after it asked for one: what it asked with is recorded already
            failure.set(e);
        }
        assertTrue(asked.get(), () -> "the server did not ask for a client certificate: " + failure.get());
        Principal[] issuers = requested.get();
        return issuers == null ? List.of() : List.of(issuers);
    }
}
