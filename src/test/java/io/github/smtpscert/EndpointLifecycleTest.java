package io.github.smtpscert;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Producer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A producer that outlives its endpoint's start: sends after a stop fail cleanly, and work again after a restart. */
class EndpointLifecycleTest {

    @RegisterExtension
    static final MtlsFixture f = MtlsFixture.perClass();

    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void sendAfterTheEndpointStoppedIsTransientAndSendsNothing(boolean pooled) throws Exception {
        try (CamelContext ctx = MtlsFixture.context()) {
            SmtpsCertEndpoint endpoint = ctx.getEndpoint(
                    f.uri(SessionCacheTest.alice(f) + "&poolEnabled=" + pooled), SmtpsCertEndpoint.class);
            Producer producer = endpoint.createProducer();
            producer.start();
            int before = f.server.deliveries().size();

            endpoint.stop();
            Exchange exchange = endpoint.createExchange();
            exchange.getMessage().setBody("after stop");
            SmtpsCertTransientException e = assertThrows(SmtpsCertTransientException.class, () -> producer.process(exchange));
            assertTrue(e.getMessage().contains("endpoint is stopped or stopping; nothing was sent"), e.getMessage());
            assertFalse(e.isPossiblyDelivered());
            assertEquals(before, f.server.deliveries().size());

            endpoint.start();
            Exchange again = endpoint.createExchange();
            again.getMessage().setBody("after restart");
            producer.process(again);
            assertEquals(before + 1, f.server.deliveries().size());
            producer.stop();
        }
    }
}
