package io.github.smtpscert.quarkus;

import java.security.Key;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.smtpscert.TlsBundleProvider;
import io.github.smtpscert.TlsBundleProvider.TlsBundle;
import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.TestPki;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The provider as Quarkus runs it: found by type in Camel's registry, reading each kind of Quarkus key store with the
 * right key password, and passing a CertificateUpdatedEvent on to the listeners of that configuration only.
 */
@QuarkusTest
@QuarkusTestResource(TlsFilesResource.class)
class QuarkusTlsBundleProviderTest {

    @Inject
    CamelContext camel;

    @Inject
    TlsConfigurationRegistry registry;

    @Inject
    Event<CertificateUpdatedEvent> updates;

    private TlsBundleProvider provider() {
        List<TlsBundleProvider> found = camel.getRegistry().findByType(TlsBundleProvider.class).stream()
                .filter(p -> p.option().equals("tlsConfigurationName")).toList();
        assertEquals(1, found.size(), "providers of tlsConfigurationName in Camel's registry");
        return found.get(0);
    }

    @Test
    void camelsRegistryFindsTheProviderByType() {
        assertNotNull(provider());
    }

    @Test
    void pemKeyStoreAndTrustStore() throws Exception {
        TlsBundle bundle = provider().bundle("pem");
        assertPresents(bundle, TlsFilesResource.pemLeaf);
        assertNull(bundle.keyAlias());
        assertEquals(List.of(TlsFilesResource.pki.root()), trusted(bundle.trustStore()));
    }

    @Test
    void p12WithAnAliasPasswordAndAnAlias() throws Exception {
        TlsBundle bundle = provider().bundle("p12");
        assertPresents(bundle, TlsFilesResource.p12Leaf);
        assertEquals(TlsFilesResource.p12Leaf.alias(), bundle.keyAlias());
        assertNull(bundle.trustStore(), "no trust-store configured: the component's trust options apply");
    }

    @Test
    void jks() throws Exception {
        assertPresents(provider().bundle("jks"), TlsFilesResource.jksLeaf);
    }

    @Test
    void theUnnamedConfigurationIsDefault() throws Exception {
        assertPresents(provider().bundle("<default>"), TlsFilesResource.defaultLeaf);
    }

    @Test
    void anUnknownNameIsAnsweredWithTheConfiguredOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider().bundle("pme"));
        assertTrue(e.getMessage().contains("'pme'"), e.getMessage());
        assertTrue(e.getMessage().contains("[<default>, jks, p12, pem, trusting]"), e.getMessage());
    }

    @Test
    void trustAllIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> provider().bundle("trusting"));
        assertTrue(e.getMessage().contains("quarkus.tls.trusting.trust-all=true"), e.getMessage());
    }

    @Test
    void anUpdateReachesTheListenersOfItsConfigurationUntilTheyUnsubscribe() throws Exception {
        AtomicInteger pemCalls = new AtomicInteger();
        AtomicInteger jksCalls = new AtomicInteger();
        TlsConfiguration pem = registry.get("pem").orElseThrow();
        try (AutoCloseable jksSubscription = provider().onUpdate("jks", jksCalls::incrementAndGet)) {
            AutoCloseable pemSubscription = provider().onUpdate("pem", pemCalls::incrementAndGet);
            updates.fire(new CertificateUpdatedEvent("pem", pem));
            assertEquals(1, pemCalls.get());
            assertEquals(0, jksCalls.get());

            pemSubscription.close();
            updates.fire(new CertificateUpdatedEvent("pem", pem));
            assertEquals(1, pemCalls.get());
        }
    }

    @Test
    void afterQuarkusReloadsTheFilesTheBundleHasTheNewCertificate() throws Exception {
        Leaf renewed = TlsFilesResource.pki.issueClient("pem-client-renewed", KeyAlg.RSA);
        renewed.writeCertChainPem(TlsFilesResource.dir, "pem.crt");
        renewed.writeKeyPkcs8(TlsFilesResource.dir, "pem.key");
        try {
            assertTrue(registry.get("pem").orElseThrow().reload());
            assertPresents(provider().bundle("pem"), renewed);
        } finally { // the other tests expect the first certificate
            TlsFilesResource.pemLeaf.writeCertChainPem(TlsFilesResource.dir, "pem.crt");
            TlsFilesResource.pemLeaf.writeKeyPkcs8(TlsFilesResource.dir, "pem.key");
            assertTrue(registry.get("pem").orElseThrow().reload());
        }
    }

    /** The bundle's key store holds exactly the leaf's key and chain, readable with the bundle's key password. */
    private static void assertPresents(TlsBundle bundle, Leaf leaf) throws Exception {
        KeyStore keys = bundle.keyStore();
        List<String> aliases = Collections.list(keys.aliases());
        assertEquals(1, aliases.size(), "key entries: " + aliases);
        String alias = aliases.get(0);
        Key key = keys.getKey(alias, bundle.keyPassword());
        assertEquals(leaf.key().getAlgorithm(), key.getAlgorithm());
        X509Certificate presented = (X509Certificate) keys.getCertificateChain(alias)[0];
        assertEquals(leaf.sha256Hex(), TestPki.sha256Hex(presented));
    }

    private static List<X509Certificate> trusted(KeyStore trust) throws Exception {
        return Collections.list(trust.aliases()).stream().map(a -> {
            try {
                return (X509Certificate) trust.getCertificate(a);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }
}
