package io.github.smtpscert;

import java.nio.file.Path;

import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.Leaf;
import io.github.smtpscert.testsupport.MtlsSmtpServer;
import io.github.smtpscert.testsupport.TempDirs;
import io.github.smtpscert.testsupport.TestPki;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One PKI, one client-certificate-requiring server and files for alice (RSA) and bob (EC), shared by a test class;
 * each test gets its own CamelContext. {@link #close()} stops the server and deletes {@link #dir} with the key stores
 * in it (a fixture that is never closed loses its folder when the JVM exits).
 */
final class MtlsFixture implements AutoCloseable, AfterAllCallback {

    static final String PW = "s3cret-pw";

    final TestPki pki = TestPki.shared();
    final Leaf alice = pki.issueClient("alice", KeyAlg.RSA);
    final Leaf bob = pki.issueClient("bob", KeyAlg.EC);
    final Path dir;
    final Path trustPem;
    final Path aliceP12;
    final Path bobP12;
    final MtlsSmtpServer server;

    MtlsFixture(MtlsSmtpServer.Builder builder) throws Exception {
        dir = TempDirs.create("smtps-cert-test");
        try {
            trustPem = pki.writeTrustPem(dir, "trust.pem");
            aliceP12 = alice.writePkcs12(dir, "alice.p12", PW.toCharArray(), PW.toCharArray());
            bobP12 = bob.writePkcs12(dir, "bob.p12", PW.toCharArray(), PW.toCharArray());
            server = builder == null ? MtlsSmtpServer.start(pki, pki.issueServer("localhost")) : builder.start();
        } catch (Exception | Error e) {
            try {
                TempDirs.delete(dir);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    MtlsFixture() throws Exception {
        this(null);
    }

    /** For a {@code @RegisterExtension static} field: one server for the test class, stopped after it. */
    static MtlsFixture perClass() {
        return perClass(null);
    }

    /** As {@link #perClass()}, with the server the builder makes (null: the default one). */
    static MtlsFixture perClass(MtlsSmtpServer.Builder builder) {
        try {
            return new MtlsFixture(builder);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test server", e);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** smtps-cert URI to the server with trust configured and the given extra options. */
    String uri(String options) {
        return "smtps-cert:localhost:" + server.port() + "?tlsMode=IMPLICIT&from=sender@example.org&to=rcpt@example.org&subject=hello"
               + "&trustCertificates=" + trustPem + (options.isEmpty() ? "" : "&" + options);
    }

    static CamelContext context() throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.start();
        return context;
    }

    static Exchange send(CamelContext context, String uri, Object body) {
        ProducerTemplate template = context.createProducerTemplate();
        return template.send(uri, exchange -> exchange.getMessage().setBody(body));
    }

    /** An SSLContextParameters bean with the PKCS12 file (password {@link #PW}) as its key managers. */
    static SSLContextParameters sslContextParameters(Path p12) {
        KeyStoreParameters store = new KeyStoreParameters();
        store.setResource("file:" + p12);
        store.setType("PKCS12");
        store.setPassword(PW);
        KeyManagersParameters managers = new KeyManagersParameters();
        managers.setKeyStore(store);
        managers.setKeyPassword(PW);
        SSLContextParameters scp = new SSLContextParameters();
        scp.setKeyManagers(managers);
        return scp;
    }

    /** Stops the server and deletes {@link #dir} with everything in it. */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            TempDirs.delete(dir);
        }
    }
}
