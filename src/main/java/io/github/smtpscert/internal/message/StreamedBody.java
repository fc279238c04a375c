package io.github.smtpscert.internal.message;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

import jakarta.activation.DataSource;
import org.apache.camel.StreamCache;

/**
 * A body that is read while the mail is written, never held in memory: an InputStream (Camel's stream caches
 * included) or a file. Angus reads it once per attempt to send; a stream cache is reset and a file opened again for
 * each, while a plain InputStream can be read only once, so a second attempt fails instead of sending what is left.
 * Anything that goes wrong while reading surfaces as {@link UnreadableBody}, which tells it apart from a broken
 * connection.
 */
final class StreamedBody implements DataSource {

    /** Plain streams some attempt has started to read; weak, so a stream is forgotten with its exchange. */
    private static final Set<InputStream> READ = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<InputStream, Boolean>()));

    private final InputStream stream;
    private final Path file;
    private final String contentType;

    private StreamedBody(InputStream stream, Path file, String contentType) {
        this.stream = stream;
        this.file = file;
        this.contentType = contentType;
    }

    static StreamedBody of(InputStream stream, String contentType) {
        return new StreamedBody(stream, null, contentType);
    }

    static StreamedBody of(Path file, String contentType) {
        return new StreamedBody(null, file, contentType);
    }

    /** Whether an earlier attempt already read this plain InputStream (so what is left of it is not the body). */
    static boolean alreadyRead(InputStream stream) {
        return !(stream instanceof StreamCache) && READ.contains(stream);
    }

    @Override
    public InputStream getInputStream() throws IOException {
        if (file != null) {
            try {
                return new Guarded(Files.newInputStream(file));
            } catch (IOException | RuntimeException e) {
                throw new UnreadableBody(e);
            }
        }
        if (stream instanceof StreamCache cache) {
            cache.reset();
        } else if (!READ.add(stream)) {
            throw new UnreadableBody(new IOException("the InputStream was already read by an earlier attempt to send"));
        }
        return new Guarded(stream);
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        throw new IOException("the body is read-only");
    }

    @Override
    public String getContentType() {
        return contentType;
    }

    @Override
    public String getName() {
        return "body";
    }

    /** Reading the body failed: the body's fault, not the connection's. */
    static final class UnreadableBody extends IOException {
        UnreadableBody(Throwable cause) {
            super("the body cannot be read", cause);
        }
    }

    /** Turns any failure of the underlying stream into {@link UnreadableBody}; closing a stream cache is left out. */
    private final class Guarded extends FilterInputStream {
        Guarded(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException | RuntimeException e) {
                throw new UnreadableBody(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                throw new UnreadableBody(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (IOException | RuntimeException e) {
                throw new UnreadableBody(e);
            }
        }

        @Override
        public void close() throws IOException {
            if (file != null) {
                super.close();
            }
            // the exchange owns its stream: Camel closes it (or resets a stream cache for a redelivery)
        }
    }
}
