package io.github.smtpscert;

import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.github.smtpscert.MtlsFixture.PW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sslBundle and tlsConfigurationName through a {@link TlsBundleProvider} in the registry, as the Spring Boot starter
 * and the Quarkus module bind one: identity and trust from the bundle, and a swap when the platform says it changed.
 */
class TlsBundleProviderTest {

    @RegisterExtension
    static final MtlsFixture f = MtlsFixture.perClass();

    /** A platform with bundles in a map, and listeners it calls when told a bundle changed. */
    static final class FakePlatform implements TlsBundleProvider {
        final String option;
        final Map<String, TlsBundle> bundles = new ConcurrentHashMap<>();
        final List<Runnable> listeners = new CopyOnWriteArrayList<>();

        FakePlatform(String option) {
            this.option = option;
        }

        @Override
        public String option() {
            return option;
        }

        @Override
        public TlsBundle bundle(String name) {
            TlsBundle bundle = bundles.get(name);
            if (bundle == null) {
                throw new IllegalArgumentException("there is no bundle '" + name + "' (there are: " + bundles.keySet() + ")");
            }
            return bundle;
        }

        @Override
        public AutoCloseable onUpdate(String name, Runnable listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }

        void update(String name, TlsBundle bundle) {
            bundles.put(name, bundle);
            listeners.forEach(Runnable::run);
        }
    }

    private static TlsBundleProvider.TlsBundle bundleOf(Leaf leaf) {
        KeyStore trust = f.pki.trustStore();
        return new TlsBundleProvider.TlsBundle(leaf.keyStore(PW.toCharArray()), PW.toCharArray(), null, trust);
    }

    /** Without trustCertificates: the bundle's trust store must be what trusts the test server. */
    private static String uri(String options) {
        return "smtps-cert:localhost:" + f.server.port() + "?tlsMode=IMPLICIT&from=sender@example.org"
               + "&to=rcpt@example.org&subject=bundle&reloadInterval=0&" + options;
    }

    @Test
    void sslBundleGivesIdentityAndTrustAndAPlatformUpdateSwapsAtOnce() throws Exception {
        FakePlatform spring = new FakePlatform("sslBundle");
        spring.bundles.put("mail", bundleOf(f.alice));
        try (CamelContext ctx = MtlsFixture.context()) {
            ctx.getRegistry().bind("springBundles", spring);
            assertPresented(ctx, uri("sslBundle=mail"), f.alice);
            spring.update("mail", bundleOf(f.bob)); // reloadInterval=0: only the platform's call can swap
            assertPresented(ctx, uri("sslBundle=mail"), f.bob);
            SmtpsCertEndpoint endpoint = ctx.getEndpoint(uri("sslBundle=mail"), SmtpsCertEndpoint.class);
            assertEquals(1, endpoint.getReloadCount());
        }
        assertTrue(spring.listeners.isEmpty(), "stopping the endpoint closes its subscription");
    }

    @Test
    void aPlatformUpdateOfTheTrustAloneIsSwappedIn() throws Exception {
        FakePlatform spring = new FakePlatform("sslBundle");
        KeyStore emptyTrust = KeyStore.getInstance("PKCS12");
        emptyTrust.load(null, null);
        spring.bundles.put("mail", new TlsBundleProvider.TlsBundle(f.alice.keyStore(PW.toCharArray()),
                PW.toCharArray(), null, emptyTrust));
        try (CamelContext ctx = MtlsFixture.context()) {
            ctx.getRegistry().bind("springBundles", spring);
            String uri = uri("sslBundle=mail&poolEnabled=false");
            Exchange refused = MtlsFixture.send(ctx, uri, "untrusted");
            assertInstanceOf(SmtpsCertPermanentException.class, refused.getException(), "premise: no CA, no trust");

            spring.update("mail", bundleOf(f.alice)); // same certificate, the relay's CA now trusted
            assertPresented(ctx, uri, f.alice);
            assertEquals(1, ctx.getEndpoint(uri, SmtpsCertEndpoint.class).getReloadCount());
        }
    }

    @Test
    void tlsConfigurationNameIsServedByItsOwnProvider() throws Exception {
        FakePlatform spring = new FakePlatform("sslBundle");
        FakePlatform quarkus = new FakePlatform("tlsConfigurationName");
        spring.bundles.put("mail", bundleOf(f.alice));
        quarkus.bundles.put("mail", bundleOf(f.bob));
        try (CamelContext ctx = MtlsFixture.context()) {
            ctx.getRegistry().bind("springBundles", spring);
            ctx.getRegistry().bind("quarkusTls", quarkus);
            assertPresented(ctx, uri("tlsConfigurationName=mail"), f.bob);
        }
    }

    @Test
    void withoutAProviderTheErrorNamesTheDependencyToAdd() throws Exception {
        try (CamelContext ctx = MtlsFixture.context()) {
            Exception e = assertThrows(Exception.class, () -> ctx.getEndpoint(uri("sslBundle=mail")).start());
            SmtpsCertConfigurationException cause = findCause(e);
            assertTrue(cause.getMessage().contains("sslBundle=mail"), cause.getMessage());
            assertTrue(cause.getMessage().contains("camel-smtps-cert-starter"), cause.getMessage());
        }
    }

    @Test
    void anUnknownBundleIsNamedWithTheOnesThereAre() throws Exception {
        FakePlatform spring = new FakePlatform("sslBundle");
        spring.bundles.put("mail", bundleOf(f.alice));
        try (CamelContext ctx = MtlsFixture.context()) {
            ctx.getRegistry().bind("springBundles", spring);
            Exception e = assertThrows(Exception.class, () -> ctx.getEndpoint(uri("sslBundle=mial")).start());
            SmtpsCertConfigurationException cause = findCause(e);
            assertTrue(cause.getMessage().contains("sslBundle=mial"), cause.getMessage());
            assertTrue(cause.getMessage().contains("[mail]"), cause.getMessage());
            assertTrue(cause.getMessage().contains("spring.ssl.bundle.pem.mial"), cause.getMessage());
        }
    }

    @Test
    void aBundleIsOneIdentitySourceAmongTheOthers() throws Exception {
        FakePlatform spring = new FakePlatform("sslBundle");
        spring.bundles.put("mail", bundleOf(f.alice));
        try (CamelContext ctx = MtlsFixture.context()) {
            ctx.getRegistry().bind("springBundles", spring);
            Exception e = assertThrows(Exception.class, () -> ctx.getEndpoint(
                    uri("sslBundle=mail&keyStore=" + f.bobP12 + "&keyStorePassword=" + PW)).start());
            SmtpsCertConfigurationException cause = findCause(e);
            assertTrue(cause.getMessage().contains("more than one client certificate source"), cause.getMessage());
        }
    }

    private static SmtpsCertConfigurationException findCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SmtpsCertConfigurationException c) {
                return c;
            }
        }
        return assertInstanceOf(SmtpsCertConfigurationException.class, e);
    }

    private static void assertPresented(CamelContext ctx, String uri, Leaf leaf) {
        int before = f.server.deliveries().size();
        Exchange ex = MtlsFixture.send(ctx, uri, "bundle test");
        assertNull(ex.getException(), () -> "send failed: " + ex.getException());
        Delivery delivery = f.server.deliveries().get(before);
        assertEquals(leaf.sha256Hex(), delivery.clientCertSha256Hex(), "certificate the server verified");
    }
}
