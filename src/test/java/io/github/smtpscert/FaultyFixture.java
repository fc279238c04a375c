package io.github.smtpscert;

import java.nio.file.Path;

import io.github.smtpscert.testsupport.FaultySmtpServer;
import io.github.smtpscert.testsupport.KeyAlg;
import io.github.smtpscert.testsupport.TempDirs;
import io.github.smtpscert.testsupport.TestPki;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A scripted server that requires a client certificate, with alice's PKCS12 file and the trust PEM, shared by a test
 * class through a {@code @RegisterExtension static} field; it stops the server and deletes the files after the class.
 */
final class FaultyFixture implements AfterAllCallback {

    static final String PW = "s3cret-pw";

    final Path dir;
    final Path trustPem;
    final Path aliceP12;
    final FaultySmtpServer server;

    private FaultyFixture() {
        TestPki pki = TestPki.shared();
        dir = TempDirs.create("smtps-cert-test");
        trustPem = pki.writeTrustPem(dir, "trust.pem");
        aliceP12 = pki.issueClient("alice", KeyAlg.EC).writePkcs12(dir, "alice.p12", PW.toCharArray(), PW.toCharArray());
        server = new FaultySmtpServer(pki, pki.issueServer("localhost"));
    }

    static FaultyFixture perClass() {
        return new FaultyFixture();
    }

    /** smtps-cert URI to the server presenting alice, with trust configured. */
    String uri() {
        return "smtps-cert:localhost:" + server.port() + "?tlsMode=IMPLICIT&from=sender@example.org&to=rcpt@example.org"
               + "&subject=hello&trustCertificates=" + trustPem + "&keyStore=" + aliceP12 + "&keyStorePassword=" + PW;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            server.close();
        } finally {
            TempDirs.delete(dir);
        }
    }
}
