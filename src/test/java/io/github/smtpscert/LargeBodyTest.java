package io.github.smtpscert;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * InputStream and file bodies are streamed, and a String body is encoded a little at a time: a child JVM with a
 * 128 MB heap sends 50 MB bodies of each kind, and the server receives them intact. Before, the InputStream was read
 * into a String and Angus copied a String body into a char array twice its size, and the child ran out of memory.
 */
class LargeBodyTest {

    private static final int MEGABYTES = 50;
    private static final String HEAP = "-Xmx128m";

    @RegisterExtension
    static final MtlsFixture f = MtlsFixture.perClass();

    @Test
    void fiftyMegabyteStreamFileAndStringBodiesAreSentFromA128MegabyteHeap() throws Exception {
        Path file = f.dir.resolve("large-body.bin");
        String fileDigest;
        try (OutputStream out = Files.newOutputStream(file); InputStream in = new Lines(MEGABYTES)) {
            in.transferTo(out);
            fileDigest = HexFormat.of().formatHex(((Lines) in).digest.digest());
        }
        int before = f.server.deliveries().size();
        String options = "keyStore=" + f.aliceP12 + "&keyStorePassword=" + MtlsFixture.PW;
        List<String> sent = runChild(f.uri(options), f.uri(options + "&contentType=application/octet-stream"),
                file.toString());
        Files.delete(file);

        List<Delivery> received = f.server.deliveries().subList(before, f.server.deliveries().size());
        assertEquals(4, received.size(), () -> "child output: " + sent);
        // text/plain, quoted-printable: CRLF lines of ASCII come back byte for byte
        assertEquals(sent.get(0), textDigest(received.get(0)), "text/plain InputStream body");
        assertEquals(sent.get(1), contentDigest(received.get(1)), "application/octet-stream InputStream body");
        assertEquals(fileDigest, textDigest(received.get(2)), "File body");
        assertEquals(fileDigest, sent.get(0), "the generator gives the same bytes each time");
        assertEquals(sent.get(3), textDigest(received.get(3)), "String body");
    }

    /** Runs {@link Send} in a JVM with a small heap; returns the SHA-256 of each body it sent, in order. */
    private static List<String> runChild(String textUri, String binaryUri, String file) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP,
                "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"), Send.class.getName(),
                textUri, binaryUri, file)
                .redirectErrorStream(true).start();
        String output;
        try (InputStream in = child.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(child.waitFor(300, TimeUnit.SECONDS), "child JVM did not end");
        assertEquals(0, child.exitValue(), () -> "child JVM (" + HEAP + ") failed:\n" + output);
        List<String> digests = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("sent ")) {
                digests.add(line.substring("sent ".length()).trim());
            }
        }
        assertEquals(4, digests.size(), output);
        return digests;
    }

    private static String contentDigest(Delivery delivery) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(delivery.message().getInputStream(), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * The digest of a text body as sent. GreenMail drops the CRLF that ends a message's last line (it takes it for
     * part of the end-of-data marker), so it is put back when missing.
     */
    private static String textDigest(Delivery delivery) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        int last = -1;
        int beforeLast = -1;
        try (InputStream in = delivery.message().getInputStream()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                beforeLast = n > 1 ? buffer[n - 2] : last;
                last = buffer[n - 1];
            }
        }
        if (beforeLast != '\r' || last != '\n') {
            digest.update(new byte[] {'\r', '\n'});
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The child: sends an InputStream body as text, one as bytes, and a File body, and prints each one's digest. */
    static final class Send {
        public static void main(String[] args) throws Exception {
            try (CamelContext context = new DefaultCamelContext()) {
                context.start();
                for (int i = 0; i < 3; i++) {
                    String uri = i == 1 ? args[1] : args[0];
                    Lines stream = new Lines(MEGABYTES);
                    Object body = i == 2 ? new File(args[2]) : stream;
                    send(context, uri, body);
                    System.out.println("sent " + (i < 2 ? HexFormat.of().formatHex(stream.digest.digest()) : "file"));
                }
                // a String body is the caller's object in memory already; sending it adds no second copy of it
                String line = "x".repeat(78) + "\r\n";
                int lines = MEGABYTES * 1024 * 1024 / 80;
                send(context, args[0], line.repeat(lines));
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                for (int i = 0; i < lines; i++) {
                    digest.update(line.getBytes(StandardCharsets.US_ASCII));
                }
                System.out.println("sent " + HexFormat.of().formatHex(digest.digest()));
            }
            System.out.println("max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB");
        }

        private static void send(CamelContext context, String uri, Object body) {
            Exchange ex = context.createProducerTemplate().send(uri, e -> e.getMessage().setBody(body));
            if (ex.getException() != null) {
                ex.getException().printStackTrace();
                System.exit(1);
            }
        }
    }

    /** Generated 80-byte CRLF-terminated lines of ASCII, never held in memory, with their running SHA-256. */
    static final class Lines extends InputStream {
        private final long size;
        private final MessageDigest digest;
        private long position;

        Lines(int megabytes) throws Exception {
            this.size = 80L * (megabytes * 1024L * 1024L / 80);
            this.digest = MessageDigest.getInstance("SHA-256");
        }

        @Override
        public int read() {
            if (position == size) {
                return -1;
            }
            int column = (int) (position % 80);
            int b = column == 78 ? '\r' : column == 79 ? '\n' : 'a' + (int) ((position / 80) % 26);
            position++;
            digest.update((byte) b);
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (position == size) {
                return -1;
            }
            int n = 0;
            while (n < length && position < size) {
                buffer[offset + n++] = (byte) read();
            }
            return n;
        }
    }

    @Test
    void aFileConsumersBodyIsReadFromTheFile() throws Exception {
        Path inbox = Files.createDirectories(f.dir.resolve("inbox"));
        String text = "line one\r\nline two, \u00fc\r\n";
        Files.writeString(inbox.resolve("mail.txt"), text, StandardCharsets.UTF_8);
        int before = f.server.deliveries().size();
        try (CamelContext context = MtlsFixture.context()) {
            String uri = f.uri("keyStore=" + f.aliceP12 + "&keyStorePassword=" + MtlsFixture.PW);
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    // the body is the consumer's GenericFile, which the component reads from the file
                    from("file:" + inbox + "?noop=true&initialDelay=0").to(uri);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (f.server.deliveries().size() == before && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
        List<Delivery> received = f.server.deliveries().subList(before, f.server.deliveries().size());
        assertEquals(1, received.size());
        assertEquals(text.strip(), String.valueOf(received.get(0).message().getContent()).strip());
        assertTrue(received.get(0).message().getContentType().contains("charset=UTF-8"),
                received.get(0).message().getContentType());
    }
}
