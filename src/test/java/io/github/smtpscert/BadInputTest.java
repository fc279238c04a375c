package io.github.smtpscert;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Each kind of bad configuration fails when the endpoint is created or the route starts (never on the first
 * exchange), with a {@link SmtpsCertConfigurationException} that names the option and says what to do.
 * No server is needed: nothing here may get as far as connecting.
 */
class BadInputTest {

    private static final String PW = "store-pw";
    private static final TestPki PKI = TestPki.shared();
    private static Leaf alice;
    private static Leaf bob;

    @TempDir
    static Path dir;

    private static Path aliceP12;
    private static Path trustPem;

    @BeforeAll
    static void files() {
        alice = PKI.issueClient("alice", KeyAlg.RSA);
        bob = PKI.issueClient("bob", KeyAlg.EC);
        aliceP12 = alice.writePkcs12(dir, "alice.p12", PW.toCharArray(), "key-pw".toCharArray());
        trustPem = PKI.writeTrustPem(dir, "trust.pem");
    }

    // ---- files ----

    @Test
    void missingKeyStoreFile() {
        Path missing = dir.resolve("nope.p12");
        String message = configurationError("keyStore=" + missing + "&keyStorePassword=" + PW);
        assertContains(message, "keyStore=" + missing, "does not exist", "Fix: give an existing file");
    }

    @Test
    void unreadableKeyStoreFile() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")),
                "running as root, which can read any file: the chmod 000 case cannot be provoked");
        Path locked = Files.copy(aliceP12, dir.resolve("locked.p12"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            String message = configurationError("keyStore=" + locked + "&keyStorePassword=" + PW);
            assertContains(message, "keyStore=" + locked, "not readable", "Fix: make it readable");
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void keyStoreIsADirectory() {
        String message = configurationError("keyStore=" + dir + "&keyStorePassword=" + PW);
        assertContains(message, "keyStore=" + dir, "is a directory", "Fix:");
    }

    @Test
    void missingTrustFile() {
        Path missing = dir.resolve("no-trust.pem");
        String message = configurationError(uriWithoutTrust("trustCertificates=" + missing + "&" + aliceOptions()));
        assertContains(message, "trustCertificates=" + missing, "does not exist", "Fix: give an existing file");
    }

    @Test
    void missingTrustStoreFile() {
        Path missing = dir.resolve("no-trust.p12");
        String message = configurationError(uriWithoutTrust("trustStore=" + missing + "&trustStorePassword=x&" + aliceOptions()));
        assertContains(message, "trustStore=" + missing, "does not exist", "Fix: give an existing file");
    }

    // ---- passwords and aliases ----

    @Test
    void wrongKeyStorePassword() {
        String message = configurationError("keyStore=" + aliceP12 + "&keyStorePassword=wrong-one&keyPassword=key-pw");
        assertContains(message, "keyStorePassword", "wrong password", "keyStore=" + aliceP12, "Fix: set keyStorePassword");
        assertTrue(!message.contains("wrong-one"), message);
    }

    @Test
    void wrongKeyPassword() {
        String message = configurationError("keyStore=" + aliceP12 + "&keyStorePassword=" + PW + "&keyPassword=wrong-one");
        assertContains(message, "keyPassword", "wrong password for key entry 'alice'", "Fix: set keyPassword");
        assertTrue(!message.contains("wrong-one"), message);
    }

    @Test
    void keyAliasNotFoundListsTheAliases() {
        String message = configurationError(aliceOptions() + "&keyAlias=carol");
        assertContains(message, "keyAlias=carol", "no such entry", "its aliases: alice", "Fix: use one of those aliases");
    }

    @Test
    void keyAliasNotFoundInABigStoreNamesTheCountAndTheThreeClosest() {
        Map<String, Leaf> entries = new TreeMap<>();
        for (int i = 0; i < 60; i++) {
            entries.put(String.format("tenant-%03d", i), bob);
        }
        entries.put("billing-eu", bob);
        Path store = TestPki.writeKeyStore(dir.resolve("tenants.p12"), "PKCS12", PW.toCharArray(), entries);

        String message = configurationError("keyStore=" + store + "&keyStorePassword=" + PW + "&keyAlias=TENANT-42");

        // ignoring case, tenant-042 is one insertion away; tenant-002, -012, -022, -032, -040, -041, -043... are two,
        // and ties go by name
        assertContains(message, "keyAlias=TENANT-42", "no such entry", "it has 61 aliases",
                "the closest: tenant-042, tenant-002, tenant-012)", "Fix: use one of the store's aliases");
        assertEquals(4, message.split("(?i)tenant-", -1).length - 1, () -> "only the three closest are named: " + message);
        assertTrue(!message.contains("billing-eu"), message);
    }

    @Test
    void keyAliasOfATrustedCertificateEntry() throws Exception {
        KeyStore store = alice.keyStore(PW.toCharArray());
        store.setCertificateEntry("ca", PKI.root());
        Path file = dir.resolve("with-ca.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, PW.toCharArray());
        }
        String message = configurationError("keyStore=" + file + "&keyStorePassword=" + PW + "&keyAlias=ca");
        assertContains(message, "keyAlias=ca", "trusted certificate, not a private key entry", "Fix:");
    }

    @Test
    void unknownKeyStoreType() {
        String message = configurationError(aliceOptions() + "&keyStoreType=PKCS13");
        assertContains(message, "keyStoreType=PKCS13", "unknown key store type", "Fix: use PKCS12 or JKS");
    }

    // ---- PEM ----

    @Test
    void certificateAndKeyThatDoNotBelongTogether() {
        Path cert = alice.writeCertChainPem(dir, "alice-chain.pem");
        Path key = bob.writeKeyPkcs8(dir, "bob-key.pem");
        String message = configurationError("certificateFile=" + cert + "&privateKeyFile=" + key);
        assertContains(message, "privateKeyFile=" + key, "does not belong", "certificateFile=" + cert, "Fix:");
    }

    @Test
    void privateKeyFileWithoutKey() {
        Path cert = alice.writeCertChainPem(dir, "alice-chain.pem");
        String message = configurationError("certificateFile=" + cert + "&privateKeyFile=" + cert);
        assertContains(message, "privateKeyFile=" + cert, "contains no private key", "Fix:");
    }

    @Test
    void certificateFileWithoutCertificate() {
        Path key = alice.writeKeyPkcs8(dir, "alice-key.pem");
        String message = configurationError("certificateFile=" + key + "&privateKeyFile=" + key);
        assertContains(message, "certificateFile=" + key, "contains no certificate", "Fix:");
    }

    @Test
    void encryptedKeyWithoutPassword() {
        Path cert = alice.writeCertChainPem(dir, "alice-chain.pem");
        Path key = alice.writeKeyPkcs8Encrypted(dir, "alice-enc.pem", "pem-pw".toCharArray());
        String message = configurationError("certificateFile=" + cert + "&privateKeyFile=" + key);
        assertContains(message, "privateKeyFile=" + key, "encrypted", "no password", "Fix: set privateKeyPassword");
    }

    @Test
    void wrongPrivateKeyPassword() {
        Path cert = bob.writeCertChainPem(dir, "bob-chain.pem");
        List<Path> keys = List.of(bob.writeKeyPkcs8Encrypted(dir, "bob-pkcs8-enc.pem", "pem-pw".toCharArray()),
                                  bob.writeKeyTraditionalEncrypted(dir, "bob-legacy-enc.pem", "pem-pw".toCharArray()));
        for (Path key : keys) {
            String message = configurationError("certificateFile=" + cert + "&privateKeyFile=" + key
                                                + "&privateKeyPassword=not-the-pw");
            assertContains(message, "privateKeyPassword", "cannot decrypt", "privateKeyFile=" + key,
                    "Fix: set privateKeyPassword");
            assertTrue(!message.contains("not-the-pw"), message);
        }
    }

    // ---- certificate dates ----

    @Test
    void expiredClientCertificate() {
        Instant now = Instant.now();
        Leaf old = PKI.issueClient("old", KeyAlg.RSA, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
        String message = configurationError(pemOptions(old, "old"));
        assertContains(message, "validateCertificateDates", "has expired", "CN=old",
                old.certificate().getNotBefore().toInstant().toString(),
                old.certificate().getNotAfter().toInstant().toString(), "Fix: renew the certificate");
    }

    @Test
    void notYetValidClientCertificate() {
        Instant now = Instant.now();
        Leaf future = PKI.issueClient("future", KeyAlg.EC, now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
        Path store = future.writePkcs12(dir, "future.p12", PW.toCharArray(), PW.toCharArray());
        String message = configurationError("keyStore=" + store + "&keyStorePassword=" + PW);
        assertContains(message, "validateCertificateDates", "is not yet valid", "CN=future",
                future.certificate().getNotBefore().toInstant().toString(), "Fix:");
    }

    @Test
    void validateCertificateDatesFalseLetsAnExpiredCertificateStart() throws Exception {
        Instant now = Instant.now();
        Leaf old = PKI.issueClient("old", KeyAlg.RSA, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
        try (CamelContext ctx = MtlsFixture.context()) {
            ctx.addRoutes(route(uri(pemOptions(old, "old2") + "&validateCertificateDates=false")));
            assertEquals(ServiceStatus.Started, ctx.getRouteController().getRouteStatus("bad-input"));
        }
    }

    // ---- conflicting / invalid options ----

    @Test
    void keyStoreAndCertificateFileTogether() {
        Path cert = alice.writeCertChainPem(dir, "alice-chain.pem");
        Path key = alice.writeKeyPkcs8(dir, "alice-key.pem");
        String message = configurationError(aliceOptions() + "&certificateFile=" + cert + "&privateKeyFile=" + key);
        assertContains(message, "keyStore and certificateFile + privateKeyFile", "more than one", "Fix: keep exactly one");
    }

    @Test
    void unknownTlsModeListsTheAllowedModes() throws Exception {
        try (CamelContext ctx = MtlsFixture.context()) {
            Exception e = assertThrows(Exception.class, () -> ctx.addRoutes(route(uri(aliceOptions()).replace(
                    "tlsMode=IMPLICIT", "tlsMode=SMTPS"))));
            String all = allMessages(e);
            assertContains(all, "tlsMode=SMTPS", "unknown TLS mode", "IMPLICIT", "STARTTLS");
        }
    }

    @Test
    void invalidFromAddress() {
        String message = configurationError(uri(aliceOptions()).replace("from=sender@example.org", "from=sender@@example.org"));
        assertContains(message, "from=sender@@example.org", "invalid e-mail address", "Fix: use addresses like");
    }

    @Test
    void invalidToAddress() {
        String message = configurationError(uri(aliceOptions()).replace("to=rcpt@example.org", "to=a@example.org,b@@x"));
        assertContains(message, "to=a@example.org,b@@x", "invalid e-mail address", "Fix: use addresses like");
    }

    // ---- helpers ----

    private static String uri(String options) {
        return uriWithoutTrust("trustCertificates=" + trustPem + "&" + options);
    }

    /** Port 9 (discard): nothing may connect there, all these errors come before any connection. */
    private static String uriWithoutTrust(String options) {
        return "smtps-cert:localhost:9?tlsMode=IMPLICIT&from=sender@example.org&to=rcpt@example.org&" + options;
    }

    private static String aliceOptions() {
        return "keyStore=" + aliceP12 + "&keyStorePassword=" + PW + "&keyPassword=key-pw";
    }

    private static String pemOptions(Leaf leaf, String name) {
        return "certificateFile=" + leaf.writeCertChainPem(dir, name + "-chain.pem")
               + "&privateKeyFile=" + leaf.writeKeyPkcs8(dir, name + "-key.pem");
    }

    private static RouteBuilder route(String uri) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:bad-input").routeId("bad-input").to(uri);
            }
        };
    }

    /**
     * Adds a route sending to the endpoint (full URI unless options already start with "smtps-cert:") and returns
     * the message of the SmtpsCertConfigurationException that must be in the cause chain of the failure.
     */
    private static String configurationError(String options) {
        String uri = options.startsWith("smtps-cert:") ? options : uri(options);
        try (CamelContext ctx = MtlsFixture.context()) {
            Exception e = assertThrows(Exception.class, () -> {
                ctx.addRoutes(route(uri));
                Endpoint endpoint = ctx.getEndpoint(uri);
                endpoint.start();
            }, "route start should have failed for " + uri);
            List<Throwable> chain = causes(e);
            for (Throwable t : chain) {
                assertTrue(!(t instanceof NullPointerException), () -> "NPE in the cause chain: " + chain);
            }
            for (Throwable t : chain) {
                if (t instanceof SmtpsCertConfigurationException config) {
                    assertNotNull(config.getMessage());
                    return config.getMessage();
                }
            }
            return fail("no SmtpsCertConfigurationException in " + chain, e);
        } catch (Exception e) {
            return fail(e);
        }
    }

    private static List<Throwable> causes(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    private static String allMessages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t : causes(e)) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    private static void assertContains(String message, String... phrases) {
        for (String phrase : phrases) {
            assertTrue(message.contains(phrase), () -> "expected '" + phrase + "' in: " + message);
        }
    }
}
