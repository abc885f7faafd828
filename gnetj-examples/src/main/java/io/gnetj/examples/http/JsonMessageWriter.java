package io.gnetj.examples.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Serializes {@code {"message":"..."}} with Jackson's streaming generator, a fresh serialization
 * per call as the TechEmpower JSON test requires, without allocating in steady state.
 *
 * <p>Why jackson-core: it is the JSON library most Java users already trust, the streaming core is
 * one jar with no dependencies (no databind, no reflection), and a {@link JsonGenerator} can stay
 * open over a reusable sink: each message is written as another root-level value (with the root
 * separator turned off) and flushed, so no generator, buffer or string is created per response.
 *
 * <p>Threading: one writer per connection, used by its loop thread only. {@link #close()} gives
 * the generator's pooled buffers back.
 */
public final class JsonMessageWriter implements AutoCloseable {

    /** Thread-safe and meant to be shared. */
    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final SerializedString MESSAGE = new SerializedString("message");

    private final Sink sink = new Sink();
    private final JsonGenerator generator;

    /** A writer with its own generator. */
    public JsonMessageWriter() {
        try {
            generator = FACTORY.createGenerator(sink);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        generator.setRootValueSeparator(null);
    }

    /**
     * Serializes one message.
     *
     * @return the bytes, valid until the next call: {@link #length()} of them from index 0
     */
    public byte[] write(String message) {
        sink.count = 0;
        try {
            generator.writeStartObject();
            generator.writeFieldName(MESSAGE);
            generator.writeString(message);
            generator.writeEndObject();
            generator.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the sink never throws
        }
        return sink.buf;
    }

    /** Bytes written by the last {@link #write}. */
    public int length() {
        return sink.count;
    }

    @Override
    public void close() {
        try {
            generator.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A growable byte array the generator flushes into. */
    private static final class Sink extends OutputStream {
        byte[] buf = new byte[64];
        int count;

        @Override
        public void write(int b) {
            ensure(1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void ensure(int more) {
            if (count + more > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
            }
        }
    }
}
