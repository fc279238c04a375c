package io.github.smtpscert;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import org.apache.camel.Exchange;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.github.smtpscert.MtlsFixture.PW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Component-level options set as Camel Main properties are the defaults of every endpoint; URI options override them.
 * The component keeps its options in a nested {@code configuration}; both the flat names
 * ({@code camel.component.smtps-cert.key-store}) and the nested ones
 * ({@code camel.component.smtps-cert.configuration.key-store}) must work.
 */
class ComponentDefaultsTest {

    private static final String FLAT = "camel.component.smtps-cert.";
    private static final String NESTED = "camel.component.smtps-cert.configuration.";

    @RegisterExtension
    static final MtlsFixture f = MtlsFixture.perClass();

    @TempDir
    Path dir;

    /** Identity, trust, TLS mode and addresses all come from the component; the URI only names the server. */
    @ParameterizedTest(name = "prefix {0}")
    @ValueSource(strings = { FLAT, NESTED })
    void componentDefaultsAreUsedByAnEndpoint(String prefix) throws Exception {
        Map<String, String> properties = componentProperties(prefix, ComponentDefaultsTest::kebab);
        Exchange ex = sendWithMain(properties, "");
        assertDeliveredAs(ex, f.alice);
        List<Delivery> deliveries = f.server.deliveries();
        jakarta.mail.internet.MimeMessage mail = deliveries.get(deliveries.size() - 1).message();
        assertEquals("from the component", mail.getSubject());
        assertEquals("defaults@example.org", mail.getFrom()[0].toString());
    }

    @Test
    void camelCaseNamesWorkToo() throws Exception {
        Map<String, String> properties = componentProperties(FLAT, Function.identity());
        Exchange ex = sendWithMain(properties, "");
        assertDeliveredAs(ex, f.alice);
    }

    @ParameterizedTest(name = "prefix {0}")
    @ValueSource(strings = { FLAT, NESTED })
    void uriKeyStoreOverridesTheComponentKeyStore(String prefix) throws Exception {
        Map<String, String> properties = componentProperties(prefix, ComponentDefaultsTest::kebab);
        Exchange ex = sendWithMain(properties, "keyStore=" + f.bobP12 + "&keyStorePassword=" + PW);
        assertDeliveredAs(ex, f.bob);
    }

    @ParameterizedTest(name = "prefix {0}")
    @ValueSource(strings = { FLAT, NESTED })
    void uriPemFilesReplaceTheComponentKeyStoreWithoutAConflict(String prefix) throws Exception {
        Map<String, String> properties = componentProperties(prefix, ComponentDefaultsTest::kebab);
        Path cert = f.bob.writeCertChainPem(dir, "bob-chain.pem");
        Path key = f.bob.writeKeyPkcs8(dir, "bob-key.pem");
        Exchange ex = sendWithMain(properties, "certificateFile=" + cert + "&privateKeyFile=" + key);
        assertDeliveredAs(ex, f.bob);
    }

    @Test
    void componentTrustStoreIsUsed() throws Exception {
        Path trustStore = f.pki.writeTrustStore(dir, "trust.jks", "trust-pw".toCharArray(), "JKS");
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(NESTED + "trust-store", trustStore.toString());
        properties.put(NESTED + "trust-store-password", "trust-pw");
        properties.put(NESTED + "trust-store-type", "JKS");
        properties.put(FLAT + "key-store", f.bobP12.toString());
        properties.put(FLAT + "key-store-password", PW);
        Exchange ex = sendWithMain(properties, "tlsMode=IMPLICIT&from=sender@example.org&to=rcpt@example.org");
        assertDeliveredAs(ex, f.bob);
    }

    // ---- helpers ----

    private static Map<String, String> componentProperties(String prefix, Function<String, String> naming) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(prefix + naming.apply("keyStore"), f.aliceP12.toString());
        properties.put(prefix + naming.apply("keyStorePassword"), PW);
        properties.put(prefix + naming.apply("trustCertificates"), f.trustPem.toString());
        properties.put(prefix + naming.apply("tlsMode"), "IMPLICIT");
        properties.put(prefix + naming.apply("from"), "defaults@example.org");
        properties.put(prefix + naming.apply("to"), "rcpt@example.org");
        properties.put(prefix + naming.apply("subject"), "from the component");
        return properties;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
    }

    private static Exchange sendWithMain(Map<String, String> properties, String uriOptions) throws Exception {
        Main main = new Main();
        properties.forEach(main::addInitialProperty);
        main.start();
        try {
            String uri = "smtps-cert:localhost:" + f.server.port() + (uriOptions.isEmpty() ? "" : "?" + uriOptions);
            return MtlsFixture.send(main.getCamelContext(), uri, "body");
        } finally {
            main.stop();
        }
    }

    private static void assertDeliveredAs(Exchange ex, Leaf leaf) throws Exception {
        assertNull(ex.getException(), () -> "send failed: " + ex.getException());
        List<Delivery> deliveries = f.server.deliveries();
        Delivery delivery = deliveries.get(deliveries.size() - 1);
        assertEquals(leaf.sha256Hex(), delivery.clientCertSha256Hex());
        assertEquals(leaf.subjectDn(), ex.getMessage().getHeader(SmtpsCertConstants.CLIENT_CERTIFICATE));
        assertEquals(delivery.message().getMessageID(), ex.getMessage().getHeader(SmtpsCertConstants.MESSAGE_ID));
    }
}
