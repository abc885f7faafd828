package io.gnetj.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gnetj.testing.MemoryConn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes every frame decoder, fed through a {@link MemoryConn} in chunks the fuzzer chooses.
 * Each input starts with a few configuration bytes (limits, delimiter, field layout, chunk size);
 * the rest is the stream.
 *
 * <p>Checked for every decoder: it throws nothing but {@link CorruptFrameException}, and only
 * when the bytes really break its limit; every frame is the next bytes of the stream (frames, the
 * delimiters or line endings between them, stripped headers and the bytes still buffered add up
 * to exactly what arrived); a frame always consumes at least one byte, so decoding ends.
 *
 * <p>Runs in regression mode in every build over the inputs committed under
 * {@code src/test/resources/io/gnetj/codec/FrameDecoderFuzzTestInputs/<method>/}; fuzzes with
 * {@code JAZZER_FUZZ=1} (see docs/reliability.md for the command).
 */
@Tag("fuzz")
class FrameDecoderFuzzTest {

    /** Frames out of one decoder as positions in the stream. */
    private interface Check {
        /**
         * @param frame a copy of the frame decoded
         * @param at    where in the stream the bytes not yet framed start
         * @return where they start after this frame
         */
        int frame(byte[] frame, int at);

        /** The decoder threw {@code e} with the stream framed up to {@code at} and {@code received} bytes in. */
        void corrupt(CorruptFrameException e, int at, int received);
    }

    /** Feeds {@code stream} in chunks of {@code chunk} bytes (0: whole) and checks every frame. */
    private static void feed(FrameDecoder decoder, byte[] stream, int chunk, Check check) {
        MemoryConn conn = new MemoryConn();
        int received = 0;
        int at = 0;
        int step = chunk == 0 ? Math.max(1, stream.length) : chunk;
        while (received < stream.length) {
            int n = Math.min(step, stream.length - received);
            conn.receive(stream, received, n);
            received += n;
            while (true) {
                ByteBuffer frame;
                try {
                    frame = decoder.decode(conn);
                } catch (CorruptFrameException e) {
                    check.corrupt(e, at, received);
                    return;
                }
                if (frame == null) {
                    break;
                }
                byte[] copy = new byte[frame.remaining()];
                frame.get(copy);
                int next = check.frame(copy, at);
                assertThat(next).as("a frame consumes at least one byte").isGreaterThan(at);
                at = next;
                assertThat(conn.inboundBuffered()).as("bytes still buffered after a frame ending at %d", at)
                        .isEqualTo(received - at);
            }
            conn.endCallback();
            assertThat(conn.inboundBuffered()).as("bytes buffered with no whole frame").isEqualTo(received - at);
        }
    }

    private static void assertSlice(byte[] stream, int from, byte[] frame) {
        assertThat(from + frame.length).as("frame end within the stream").isLessThanOrEqualTo(stream.length);
        assertThat(frame).as("frame at %d", from).isEqualTo(Arrays.copyOfRange(stream, from, from + frame.length));
    }

    private static int indexOf(byte[] stream, int from, int to, byte[] needle) {
        for (int i = from; i + needle.length <= to; i++) {
            if (Arrays.equals(stream, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    // ---- line ----

    /** {@code data[0]}: max line length 0-63; {@code data[1]}: chunk size; then the stream. */
    @FuzzTest(maxDuration = "5m")
    void lineDecoder(byte[] data) {
        if (data.length < 2) {
            return;
        }
        int maxLength = data[0] & 0x3f;
        byte[] stream = Arrays.copyOfRange(data, 2, data.length);
        feed(new LineFrameDecoder(maxLength), stream, data[1] & 0x1f, new Check() {
            @Override
            public int frame(byte[] frame, int at) {
                assertSlice(stream, at, frame);
                assertThat(frame.length).as("line length").isLessThanOrEqualTo(maxLength);
                int end = at + frame.length;
                int lf = indexOf(stream, at, stream.length, new byte[] {'\n'});
                assertThat(lf).as("the line ends at the first newline").isIn(end, end + 1);
                if (lf == end + 1) {
                    assertThat(stream[end]).as("the byte stripped before the newline").isEqualTo((byte) '\r');
                } else {
                    assertThat(frame.length == 0 || frame[frame.length - 1] != '\r')
                            .as("a \\r before the newline is stripped").isTrue();
                }
                return lf + 1;
            }

            @Override
            public void corrupt(CorruptFrameException e, int at, int received) {
                int lf = indexOf(stream, at, received, new byte[] {'\n'});
                int length = lf < 0 ? received - at : lf - at;
                if (lf < 0 && length > 0 && stream[received - 1] == '\r') {
                    length--; // may be the start of \r\n
                } else if (lf > at && stream[lf - 1] == '\r') {
                    length--;
                }
                assertThat(length).as("line length when refused (%s)", e.getMessage()).isGreaterThan(maxLength);
            }
        });
    }

    // ---- delimiter ----

    /**
     * {@code data[0]}: delimiter length 1-4 (bit 4: keep the delimiter), then the delimiter,
     * then max frame length 0-63, chunk size, and the stream.
     */
    @FuzzTest(maxDuration = "5m")
    void delimiterDecoder(byte[] data) {
        if (data.length < 1) {
            return;
        }
        int d = 1 + (data[0] & 0x03);
        boolean strip = (data[0] & 0x10) == 0;
        if (data.length < 3 + d) {
            return;
        }
        byte[] delimiter = Arrays.copyOfRange(data, 1, 1 + d);
        int maxLength = data[1 + d] & 0x3f;
        int chunk = data[2 + d] & 0x1f;
        byte[] stream = Arrays.copyOfRange(data, 3 + d, data.length);
        feed(new DelimiterFrameDecoder(delimiter, maxLength, strip), stream, chunk, new Check() {
            @Override
            public int frame(byte[] frame, int at) {
                assertSlice(stream, at, frame);
                int found = indexOf(stream, at, stream.length, delimiter);
                int payload = strip ? frame.length : frame.length - d;
                assertThat(found).as("the frame ends at the first delimiter").isEqualTo(at + payload);
                assertThat(payload).as("frame length").isLessThanOrEqualTo(maxLength);
                return found + d;
            }

            @Override
            public void corrupt(CorruptFrameException e, int at, int received) {
                int found = indexOf(stream, at, received, delimiter);
                assertThat(found < 0 ? received - at : found - at).as("frame length when refused (%s)", e.getMessage())
                        .isGreaterThan(maxLength);
            }
        });
    }

    // ---- fixed length ----

    /** {@code data[0]}: frame length 1-64; {@code data[1]}: chunk size; then the stream. */
    @FuzzTest(maxDuration = "5m")
    void fixedLengthDecoder(byte[] data) {
        if (data.length < 2) {
            return;
        }
        int length = 1 + (data[0] & 0x3f);
        byte[] stream = Arrays.copyOfRange(data, 2, data.length);
        feed(new FixedLengthFrameDecoder(length), stream, data[1] & 0x1f, new Check() {
            @Override
            public int frame(byte[] frame, int at) {
                assertThat(frame).hasSize(length);
                assertSlice(stream, at, frame);
                return at + length;
            }

            @Override
            public void corrupt(CorruptFrameException e, int at, int received) {
                throw new AssertionError("a fixed-length decoder has no limit to break", e);
            }
        });
    }

    // ---- length field ----

    /**
     * Configuration bytes: field length (1, 2, 4, 8) and byte order; field offset 0-7;
     * length adjustment (signed byte); bytes to strip 0-15; max frame length (2 bytes); chunk
     * size. Then the stream. The expected frame lengths are worked out here from the header bytes.
     */
    @FuzzTest(maxDuration = "5m")
    void lengthFieldDecoder(byte[] data) {
        if (data.length < 7) {
            return;
        }
        int fieldLength = new int[] {1, 2, 4, 8}[data[0] & 0x03];
        ByteOrder order = (data[0] & 0x04) == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int offset = data[1] & 0x07;
        int adjustment = data[2];
        int strip = data[3] & 0x0f;
        int maxFrame = 1 + (((data[4] & 0xff) << 8 | (data[5] & 0xff)) & 0x0fff);
        int chunk = data[6] & 0x1f;
        byte[] stream = Arrays.copyOfRange(data, 7, data.length);
        int header = offset + fieldLength;
        LengthFieldFrameDecoder decoder;
        try {
            decoder = LengthFieldFrameDecoder.builder().lengthFieldLength(fieldLength).byteOrder(order)
                    .lengthFieldOffset(offset).lengthAdjustment(adjustment).initialBytesToStrip(strip)
                    .maxFrameLength(maxFrame).build();
        } catch (IllegalArgumentException impossibleLayout) {
            assertThat(header).as("layout refused: %s", impossibleLayout.getMessage()).isGreaterThan(maxFrame);
            return;
        }
        feed(decoder, stream, chunk, new Check() {
            @Override
            public int frame(byte[] frame, int at) {
                long whole = expectedFrameLength(at);
                assertThat(whole).as("frame length from the header at %d", at).isBetween((long) header, (long) maxFrame);
                assertThat(frame).as("frame less its stripped bytes").hasSize((int) whole - strip);
                assertSlice(stream, at + strip, frame);
                return at + (int) whole;
            }

            @Override
            public void corrupt(CorruptFrameException e, int at, int received) {
                assertThat(received - at).as("header bytes when refused").isGreaterThanOrEqualTo(header);
                long whole = expectedFrameLength(at);
                assertThat(whole < header || whole > maxFrame || whole < strip)
                        .as("frame of %d bytes refused (%s)", whole, e.getMessage()).isTrue();
            }

            /** The whole frame's length the header at {@code at} announces, or -1 when it cannot be one. */
            private long expectedFrameLength(int at) {
                long length = 0;
                for (int i = 0; i < fieldLength; i++) {
                    int b = stream[at + offset + (order == ByteOrder.BIG_ENDIAN ? i : fieldLength - 1 - i)] & 0xff;
                    length = length << 8 | b;
                }
                if (length < 0) {
                    return -1; // an 8-byte field past 2^63 - 1
                }
                try {
                    return Math.addExact(length, (long) adjustment + header);
                } catch (ArithmeticException overflow) {
                    return -1;
                }
            }
        });
    }
}
