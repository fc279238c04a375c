package io.github.smtpscert.testsupport;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TempDirsTest {

    @Test
    void createdFolderIsPrivateAndRegisteredUntilDeletedWithItsContent() throws Exception {
        Path dir = TempDirs.create("smtps-cert-test");
        try {
            assertTrue(Files.isDirectory(dir));
            assertTrue(dir.getFileName().toString().startsWith("smtps-cert-test"), dir::toString);
            if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            }
            assertTrue(TempDirs.undeleted().contains(dir.toAbsolutePath()));

            TestPki pki = TestPki.shared();
            pki.writeTrustPem(dir, "trust.pem");
            Path nested = Files.createDirectories(dir.resolve("a/b"));
            pki.issueClient("temp", KeyAlg.EC).writeKeyPkcs8(nested, "key.pem");
        } finally {
            TempDirs.delete(dir);
        }
        assertFalse(Files.exists(dir), dir::toString);
        assertFalse(TempDirs.undeleted().contains(dir.toAbsolutePath()));

        TempDirs.delete(dir); // a second delete is fine
    }

    @Test
    void folderNeverDeletedIsGoneWhenTheJvmExits() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ExitWithoutDeleting.class.getName())
                .redirectErrorStream(true).start();
        String output;
        try (InputStream in = child.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM did not end");
        assertEquals(0, child.exitValue(), output);
        Path dir = Path.of(output.lines().reduce((first, second) -> second).orElseThrow());
        assertTrue(dir.getFileName().toString().startsWith("smtps-cert-test"), output);
        assertFalse(Files.exists(dir), () -> dir + " is still there after the JVM exited");
    }

    /** Child JVM: leaves a folder with a key in it to the shutdown hook and prints its path. */
    static final class ExitWithoutDeleting {
        public static void main(String[] args) {
            Path dir = TempDirs.create("smtps-cert-test");
            TestPki.shared().issueClient("exit", KeyAlg.EC).writeKeyPkcs8(dir, "key.pem");
            System.out.println(dir);
        }
    }
}
