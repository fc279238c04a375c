package io.github.smtpscert.springboot;

import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.smtpscert.TlsBundleProvider.TlsBundle;
import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SslBundleTlsProvider} on Spring Boot's own bundle registry, without an application. */
class SslBundleTlsProviderTest {

    static final TestPki PKI = TestPki.shared();
    static final Leaf LEAF = PKI.issueClient("provider-test", KeyAlg.EC);

    @TempDir
    Path dir;

    @Test
    void aPemBundlesKeyEntryOpensWithItsKeyPasswordOrNone() throws Exception {
        PemSslStoreDetails keyStore = new PemSslStoreDetails(null, "file:" + LEAF.writeCertChainPem(dir, "c.pem"),
                "file:" + LEAF.writeKeyPkcs8(dir, "c.key"));
        PemSslStoreDetails trust = PemSslStoreDetails.forCertificate("file:" + PKI.writeTrustPem(dir, "ca.pem"));
        DefaultSslBundleRegistry registry = new DefaultSslBundleRegistry();
        registry.registerBundle("plain", SslBundle.of(new PemSslStoreBundle(keyStore, trust)));
        PemSslStoreDetails keyedStore = keyStore.withAlias("mail").withPassword("entry");
        registry.registerBundle("keyed", SslBundle.of(new PemSslStoreBundle(keyedStore, trust),
                SslBundleKey.of("entry", "mail")));
        SslBundleTlsProvider provider = new SslBundleTlsProvider(registry);

        TlsBundle plain = provider.bundle("plain");
        assertArrayEquals(new char[0], plain.keyPassword());
        assertNull(plain.keyAlias());
        String alias = plain.keyStore().aliases().nextElement();
        assertNotNull(plain.keyStore().getKey(alias, plain.keyPassword()));
        assertTrue(plain.trustStore().size() > 0);

        TlsBundle keyed = provider.bundle("keyed");
        assertArrayEquals("entry".toCharArray(), keyed.keyPassword());
        assertEquals("mail", keyed.keyAlias());
        assertNotNull(keyed.keyStore().getKey("mail", keyed.keyPassword()));
    }

    @Test
    void theKeyStorePasswordIsTheKeyPasswordWhenTheBundleGivesNone() {
        KeyStore store = LEAF.keyStore("store".toCharArray());
        DefaultSslBundleRegistry registry = new DefaultSslBundleRegistry("jks",
                SslBundle.of(SslStoreBundle.of(store, "store", null)));
        TlsBundle bundle = new SslBundleTlsProvider(registry).bundle("jks");
        assertSame(store, bundle.keyStore());
        assertArrayEquals("store".toCharArray(), bundle.keyPassword());
        assertNull(bundle.trustStore());
    }

    @Test
    void anUnknownBundleIsAnIllegalArgumentNamingTheBundlesThereAre() {
        DefaultSslBundleRegistry registry = new DefaultSslBundleRegistry("mail", SslBundle.of(SslStoreBundle.NONE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SslBundleTlsProvider(registry).bundle("mial"));
        assertTrue(e.getMessage().contains("'mial'") && e.getMessage().contains("[mail]"), e.getMessage());
    }

    @Test
    void anUnloadableBundleIsAnIllegalArgument() {
        PemSslStoreDetails missing = new PemSslStoreDetails(null, "file:" + dir.resolve("none.pem"),
                "file:" + dir.resolve("none.key"));
        DefaultSslBundleRegistry registry = new DefaultSslBundleRegistry("mail",
                SslBundle.of(new PemSslStoreBundle(missing, null)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SslBundleTlsProvider(registry).bundle("mail"));
        assertTrue(e.getMessage().contains("cannot be loaded"), e.getMessage());
    }

    @Test
    void updatesCallTheListenerUntilTheHandleIsClosed() throws Exception {
        DefaultSslBundleRegistry registry = new DefaultSslBundleRegistry("mail", SslBundle.of(SslStoreBundle.NONE));
        SslBundleTlsProvider provider = new SslBundleTlsProvider(registry);
        AtomicInteger calls = new AtomicInteger();
        AutoCloseable handle = provider.onUpdate("mail", calls::incrementAndGet);

        registry.updateBundle("mail", SslBundle.of(SslStoreBundle.NONE));
        assertEquals(1, calls.get());
        handle.close();
        registry.updateBundle("mail", SslBundle.of(SslStoreBundle.NONE));
        assertEquals(1, calls.get(), "no call after close");
        assertEquals("sslBundle", provider.option());
    }
}
