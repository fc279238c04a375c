package io.github.smtpscert.internal.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;

import jakarta.activation.DataSource;

/**
 * A text body encoded in its charset a few kilobytes at a time, each time it is read. Angus's own text handler
 * (what {@code setText} uses) copies the whole String into a char array on every pass - twice the String's size, once
 * to choose the transfer encoding and once to send - which made a 50 MB body fail in a 128 MB heap.
 */
final class TextBody implements DataSource {

    private final String text;
    private final Charset charset;
    private final String contentType;

    TextBody(String text, Charset charset, String contentType) {
        this.text = text;
        this.charset = charset;
        this.contentType = contentType;
    }

    @Override
    public InputStream getInputStream() {
        return new Encoding();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        throw new IOException("the body is read-only");
    }

    @Override
    public String getContentType() {
        return contentType;
    }

    /** Not null, so that Angus reads this source to choose the transfer encoding instead of rendering the text. */
    @Override
    public String getName() {
        return "body";
    }

    /** The text's bytes, encoded on demand; characters the charset lacks become its replacement, as setText does. */
    private final class Encoding extends InputStream {
        private final CharBuffer in = CharBuffer.wrap(text);
        private final CharsetEncoder encoder = charset.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        private final ByteBuffer out = ByteBuffer.allocate(8192).flip();
        private boolean flushed;

        @Override
        public int read() {
            return fill() ? out.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, out.remaining());
            out.get(b, off, n);
            return n;
        }

        /** Encodes more when the buffer is empty; false at the end of the text. */
        private boolean fill() {
            while (!out.hasRemaining() && !flushed) {
                out.clear();
                CoderResult result = encoder.encode(in, out, true);
                if (result.isUnderflow() && !in.hasRemaining()) {
                    flushed = encoder.flush(out).isUnderflow();
                }
                out.flip();
            }
            return out.hasRemaining();
        }
    }
}
