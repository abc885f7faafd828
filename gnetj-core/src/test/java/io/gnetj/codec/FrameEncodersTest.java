package io.gnetj.codec;

import static io.gnetj.codec.Frames.bytes;
import static io.gnetj.codec.Frames.feed;
import static io.gnetj.codec.Frames.randomCuts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gnetj.testing.MemoryConn;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameEncodersTest {

    @Test
    void lengthFieldEncoderWritesHeaderThenPayload() {
        MemoryConn conn = new MemoryConn();
        LengthFieldFrameEncoder encoder = new LengthFieldFrameEncoder();
        ByteBuffer payload = ByteBuffer.wrap(bytes("abc"));
        assertThat(encoder.write(conn, payload)).isEqualTo(7);
        assertThat(payload.hasRemaining()).as("payload consumed").isFalse();
        assertThat(encoder.write(conn, ByteBuffer.allocate(0))).isEqualTo(4);
        assertThat(conn.written()).containsExactly(0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 0);
    }

    @Test
    void lengthFieldEncoderHonoursOrderAndAdjustment() {
        MemoryConn conn = new MemoryConn();
        new LengthFieldFrameEncoder(2, ByteOrder.LITTLE_ENDIAN, -2).write(conn, ByteBuffer.wrap(bytes("xyz")));
        assertThat(conn.written()).as("length 3 + 2 counting the field itself, little-endian")
                .containsExactly(5, 0, 'x', 'y', 'z');
    }

    @Test
    void lengthFieldEncoderRefusesAPayloadTooLargeForItsField() {
        MemoryConn conn = new MemoryConn();
        LengthFieldFrameEncoder oneByte = new LengthFieldFrameEncoder(1, ByteOrder.BIG_ENDIAN, 0);
        oneByte.write(conn, ByteBuffer.allocate(255));
        conn.takeWritten();
        ByteBuffer tooBig = ByteBuffer.allocate(256);
        assertThatThrownBy(() -> oneByte.write(conn, tooBig))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit a 1-byte length field");
        assertThat(conn.written()).as("nothing written").isEmpty();
        assertThat(tooBig.position()).isZero();
        assertThatThrownBy(() -> new LengthFieldFrameEncoder(4, ByteOrder.BIG_ENDIAN, 10).encode(ByteBuffer.allocate(3)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lengthFieldEncodeIntoABufferMatchesWrite() {
        LengthFieldFrameEncoder encoder = new LengthFieldFrameEncoder(8, ByteOrder.LITTLE_ENDIAN, 0);
        MemoryConn conn = new MemoryConn();
        encoder.write(conn, ByteBuffer.wrap(bytes("hello")));
        ByteBuffer frame = encoder.encode(ByteBuffer.wrap(bytes("hello")));
        byte[] encoded = new byte[frame.remaining()];
        frame.get(encoded);
        assertThat(encoded).containsExactly(conn.written());
        assertThat(encoder.frameLength(5)).isEqualTo(13);

        ByteBuffer small = ByteBuffer.allocate(12);
        ByteBuffer payload = ByteBuffer.wrap(bytes("hello"));
        assertThatThrownBy(() -> encoder.encode(payload, small)).isInstanceOf(BufferOverflowException.class);
        assertThat(small.position()).as("nothing put").isZero();
        assertThat(payload.position()).isZero();
    }

    @ParameterizedTest(name = "{0}-byte field, {1}, adjustment {2}")
    @CsvSource({"1, BIG_ENDIAN, 0", "2, LITTLE_ENDIAN, 0", "4, BIG_ENDIAN, -4", "4, LITTLE_ENDIAN, 3",
            "8, BIG_ENDIAN, -8", "8, LITTLE_ENDIAN, 0"})
    void lengthFieldFramesRoundTripThroughTheDecoder(int fieldLength, String orderName, int adjustment) {
        ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        LengthFieldFrameEncoder encoder = new LengthFieldFrameEncoder(fieldLength, order, adjustment);
        LengthFieldFrameDecoder decoder = LengthFieldFrameDecoder.builder().lengthFieldLength(fieldLength)
                .byteOrder(order).lengthAdjustment(adjustment).initialBytesToStrip(fieldLength).build();
        Random random = new Random(fieldLength * 7L + adjustment);
        MemoryConn out = new MemoryConn();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] payload = new byte[Math.max(adjustment, 0) + random.nextInt(200)];
            random.nextBytes(payload);
            sent.add(new String(payload, StandardCharsets.ISO_8859_1));
            encoder.write(out, ByteBuffer.wrap(payload));
        }
        byte[] stream = out.written();
        for (int round = 0; round < 50; round++) {
            assertThat(feed(decoder, new MemoryConn(), stream, randomCuts(random, stream.length)))
                    .containsExactlyElementsOf(sent);
        }
    }

    @Test
    void lineEncoderWritesTheLineAndItsEnding() {
        MemoryConn conn = new MemoryConn();
        LineFrameEncoder lf = new LineFrameEncoder();
        LineFrameEncoder crlf = new LineFrameEncoder(true);
        assertThat(lf.write(conn, ByteBuffer.wrap(bytes("a\rb")))).isEqualTo(4);
        assertThat(crlf.write(conn, ByteBuffer.wrap(bytes("c")))).isEqualTo(3);
        lf.write(conn, ByteBuffer.allocate(0));
        assertThat(new String(conn.written(), StandardCharsets.ISO_8859_1)).isEqualTo("a\rb\nc\r\n\n");
        ByteBuffer line = crlf.encode(ByteBuffer.wrap(bytes("xy")));
        assertThat(Frames.text(line)).isEqualTo("xy\r\n");
    }

    @Test
    void lineEncoderRefusesALineHoldingANewline() {
        MemoryConn conn = new MemoryConn();
        ByteBuffer bad = ByteBuffer.wrap(bytes("two\nlines"));
        assertThatThrownBy(() -> new LineFrameEncoder().write(conn, bad))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 3");
        assertThat(conn.written()).isEmpty();
        assertThat(bad.position()).isZero();
    }

    @Test
    void linesRoundTripThroughTheDecoder() {
        Random random = new Random(42);
        for (boolean crlf : new boolean[] {false, true}) {
            LineFrameEncoder encoder = new LineFrameEncoder(crlf);
            MemoryConn out = new MemoryConn();
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                byte[] line = new byte[random.nextInt(80)];
                for (int k = 0; k < line.length; k++) {
                    line[k] = (byte) (random.nextInt(255) + 1);
                    if (line[k] == '\n' || (line[k] == '\r' && k == line.length - 1)) {
                        line[k] = 'x'; // a trailing \r would be taken as part of \r\n
                    }
                }
                sent.add(new String(line, StandardCharsets.ISO_8859_1));
                encoder.write(out, ByteBuffer.wrap(line));
            }
            byte[] stream = out.written();
            for (int round = 0; round < 50; round++) {
                assertThat(feed(new LineFrameDecoder(80), new MemoryConn(), stream, randomCuts(random, stream.length)))
                        .as("crlf=%s", crlf).containsExactlyElementsOf(sent);
            }
        }
    }
}
