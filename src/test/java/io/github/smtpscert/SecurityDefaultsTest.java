package io.github.smtpscert;

import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a URI that says nothing about TLS gets: verified host names, no trust-all, no old TLS, no shared sessions. */
class SecurityDefaultsTest {

    private static String aliceOptions(MtlsFixture f) {
        return "keyStore=" + f.aliceP12 + "&keyStorePassword=" + MtlsFixture.PW;
    }

    @Test
    void hostNameIsVerifiedByDefault() throws Exception {
        // TestPki's server certificates always name localhost, so this one is self-signed for otherhost only
        Leaf otherhost = selfSignedServer("otherhost");
        try (MtlsFixture f = new MtlsFixture(MtlsSmtpServer.builder(TestPki.shared(), otherhost));
             CamelContext ctx = MtlsFixture.context()) {
            Path trust = f.dir.resolve("otherhost.pem");
            try (JcaPEMWriter pem = new JcaPEMWriter(Files.newBufferedWriter(trust))) {
                pem.writeObject(otherhost.certificate());
            }
            String uri = "smtps-cert:localhost:" + f.server.port() + "?tlsMode=IMPLICIT&from=sender@example.org"
                         + "&to=rcpt@example.org&trustCertificates=" + trust + "&" + aliceOptions(f);
            Exchange ex = MtlsFixture.send(ctx, uri, "body");

            SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
            assertTrue(e.getMessage().contains("verifyHostname") && e.getMessage().contains("localhost"), e.getMessage());
            assertEquals(0, f.server.deliveries().size());
        }
    }

    private static Leaf selfSignedServer(String dnsName) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        X500Name name = new X500Name("CN=" + dnsName);
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(3600)), Date.from(now.plusSeconds(86400)), name, keys.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
        return new Leaf(dnsName, KeyAlg.RSA, keys.getPrivate(), new X509Certificate[] {certificate});
    }

    @Test
    void theJvmDefaultTrustDoesNotTrustThePrivateCa() throws Exception {
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = MtlsFixture.context()) {
            // no trustStore/trustCertificates: only the JVM's CAs, which never issued the test server's certificate
            String uri = "smtps-cert:localhost:" + f.server.port() + "?tlsMode=IMPLICIT&from=sender@example.org"
                         + "&to=rcpt@example.org&" + aliceOptions(f);
            Exchange ex = MtlsFixture.send(ctx, uri, "body");

            SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
            assertTrue(e.getMessage().contains("subject CN=localhost,") && e.getMessage().contains("issuer "),
                    e.getMessage());
            assertTrue(e.getMessage().contains("is not trusted by the JVM's default trust store"), e.getMessage());
            assertTrue(e.getMessage().contains("Fix: set trustStore or trustCertificates"), e.getMessage());
            // the JVM's cacerts is not something to add a private CA to
            assertFalse(e.getMessage().contains("or add that CA to"), e.getMessage());
            assertEquals(0, f.server.deliveries().size());
        }
    }

    @Test
    void tls11ServerIsRefusedByDefault() throws Exception {
        // the JDK disables TLS 1.0/1.1 as well (jdk.tls.disabledAlgorithms); the default protocols option excludes them
        try (MtlsFixture f = new MtlsFixture(MtlsSmtpServer.builder(TestPki.shared(),
                TestPki.shared().issueServer("localhost")).protocols("TLSv1.1"));
             CamelContext ctx = MtlsFixture.context()) {
            Exchange ex = MtlsFixture.send(ctx, f.uri(aliceOptions(f)), "body");

            // the JDK server, having no protocol in common, hangs up without an alert, which the client cannot tell
            // from a dropped handshake: a transient failure whose message points at the protocols option
            SmtpsCertSendException e = assertInstanceOf(SmtpsCertSendException.class, ex.getException());
            assertTrue(e.getMessage().contains("protocols=TLSv1.3,TLSv1.2"), e.getMessage());
            assertEquals(0, f.server.deliveries().size());
        }
    }

    @Test
    void aSessionOfOneIdentityIsNeverResumedForAnother() throws Exception {
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = MtlsFixture.context()) {
            java.nio.file.Path both = TestPki.writeKeyStore(f.dir.resolve("both.p12"), "PKCS12",
                    MtlsFixture.PW.toCharArray(), Map.of("alice", f.alice, "bob", f.bob));
            String uri = f.uri("keyStore=" + both + "&keyStorePassword=" + MtlsFixture.PW
                               + "&allowIdentityFromHeader=true&poolEnabled=false");
            String[] order = {"alice", "bob", "alice", "bob"};
            for (String alias : order) {
                Exchange ex = ctx.createProducerTemplate().send(uri, e -> {
                    e.getMessage().setHeader(SmtpsCertConstants.KEY_ALIAS, alias);
                    e.getMessage().setBody(alias);
                });
                assertNull(ex.getException());
            }
            var deliveries = f.server.deliveries();
            assertEquals(4, deliveries.size());
            for (int i = 0; i < order.length; i++) {
                String expected = ("alice".equals(order[i]) ? f.alice : f.bob).sha256Hex();
                assertEquals(expected, deliveries.get(i).clientCertSha256Hex(), "message " + i);
            }
            assertFalse(deliveries.get(1).sessionResumed(), "bob's first connection must not resume alice's session");
        }
    }

    @Test
    void optionsThatWeakenTlsAreMarkedInsecureInTheMetadata() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/io/github/smtpscert/smtps-cert.json")) {
            assertNotNull(in, "generated component JSON on the classpath");
            JsonObject json = (JsonObject) Jsoner.deserialize(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            JsonObject properties = (JsonObject) json.get("properties");
            for (String option : new String[] {"verifyHostname", "protocols", "cipherSuites"}) {
                JsonObject property = (JsonObject) properties.get(option);
                assertNotNull(property, option);
                assertEquals("insecure:ssl", property.get("security"), option);
            }
            assertNull(((JsonObject) properties.get("to")).get("security"), "ordinary options carry no marker");
        }
    }
}
