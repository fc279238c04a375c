package io.github.smtpscert.quarkus;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How updates reach the listeners, without Quarkus: the observer methods called as Arc would call them. */
class ListenersTest {

    private static final TlsConfigurationRegistry EMPTY = new TlsConfigurationRegistry() {
        @Override
        public Optional<TlsConfiguration> get(String name) {
            return Optional.empty();
        }

        @Override
        public Optional<TlsConfiguration> getDefault() {
            return Optional.empty();
        }

        @Override
        public void register(String name, TlsConfiguration configuration) {
            throw new UnsupportedOperationException();
        }
    };

    @Test
    void aFailingListenerDoesNotKeepTheOthersFromTheUpdate() {
        QuarkusTlsBundleProvider provider = new QuarkusTlsBundleProvider(EMPTY);
        AtomicInteger calls = new AtomicInteger();
        provider.onUpdate("mail", () -> {
            throw new IllegalStateException("this endpoint's reload failed");
        });
        provider.onUpdate("mail", calls::incrementAndGet);

        provider.certificateUpdated(new CertificateUpdatedEvent("mail", null));

        assertEquals(1, calls.get());
    }

    @Test
    void noUpdateIsPassedOnOnceTheApplicationShutsDown() {
        QuarkusTlsBundleProvider provider = new QuarkusTlsBundleProvider(EMPTY);
        AtomicInteger calls = new AtomicInteger();
        provider.onUpdate("mail", calls::incrementAndGet);

        provider.shutdown(new ShutdownEvent());
        provider.certificateUpdated(new CertificateUpdatedEvent("mail", null));

        assertEquals(0, calls.get());
    }
}
