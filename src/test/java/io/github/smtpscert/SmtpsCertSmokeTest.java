package io.github.smtpscert;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SmtpsCertSmokeTest {

    @Test
    void sendsWithPkcs12() throws Exception {
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = MtlsFixture.context()) {
            Exchange ex = MtlsFixture.send(ctx, f.uri("keyStore=" + f.aliceP12 + "&keyStorePassword=" + MtlsFixture.PW), "body");
            if (ex.getException() != null) {
                ex.getException().printStackTrace();
            }
            assertNull(ex.getException());
            assertEquals(1, f.server.deliveries().size());
            assertEquals(f.alice.sha256Hex(), f.server.deliveries().get(0).clientCertSha256Hex());
        }
    }
}
