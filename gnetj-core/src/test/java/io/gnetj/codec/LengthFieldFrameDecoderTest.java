package io.gnetj.codec;

import static io.gnetj.codec.Frames.assertDecodesInEveryChunking;
import static io.gnetj.codec.Frames.bytes;
import static io.gnetj.codec.Frames.concat;
import static io.gnetj.codec.Frames.feed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gnetj.testing.MemoryConn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LengthFieldFrameDecoderTest {

    private static byte[] b(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    @Test
    void stripsAFourByteBigEndianHeaderInEveryChunking() {
        LengthFieldFrameDecoder decoder = LengthFieldFrameDecoder.builder().initialBytesToStrip(4).build();
        byte[] stream = concat(b(0, 0, 0, 3), bytes("abc"), b(0, 0, 0, 0), b(0, 0, 0, 1), bytes("\n"),
                b(0, 0, 0, 5), bytes("par"));
        assertDecodesInEveryChunking(() -> decoder, stream, 7, "abc", "", "\n");
    }

    @Test
    void keepsTheHeaderWhenNothingIsStripped() {
        LengthFieldFrameDecoder decoder = LengthFieldFrameDecoder.builder().lengthFieldLength(2).build();
        assertDecodesInEveryChunking(() -> decoder, concat(b(0, 2), bytes("hi"), b(0, 0)), 0, "\0\u0002hi", "\0\0");
    }

    @Test
    void readsALengthThatCountsTheHeaderWithANegativeAdjustment() {
        LengthFieldFrameDecoder decoder = LengthFieldFrameDecoder.builder()
                .lengthAdjustment(-4).initialBytesToStrip(4).build();
        assertDecodesInEveryChunking(() -> decoder, concat(b(0, 0, 0, 7), bytes("abc"), b(0, 0, 0, 4)),
                0, "abc", "");
    }

    @Test
    void readsALengthFieldAfterOtherHeaderBytes() {
        // type(2) | length(2, little-endian) | payload; strip the type, keep the length.
        LengthFieldFrameDecoder decoder = LengthFieldFrameDecoder.builder()
                .lengthFieldOffset(2).lengthFieldLength(2).byteOrder(ByteOrder.LITTLE_ENDIAN)
                .initialBytesToStrip(2).build();
        assertDecodesInEveryChunking(() -> decoder, concat(b(0xCA, 0xFE, 3, 0), bytes("xyz"), b(1, 2, 0, 0)),
                0, "\u0003\0xyz", "\0\0");
    }

    @Test
    void readsAHeaderBeforeAFixedPartThroughAPositiveAdjustment() {
        // length(1) counts only the body, but a 2-byte checksum follows the body: adjustment +2.
        LengthFieldFrameDecoder decoder = LengthFieldFrameDecoder.builder()
                .lengthFieldLength(1).lengthAdjustment(2).initialBytesToStrip(1).build();
        assertDecodesInEveryChunking(() -> decoder, concat(b(2), bytes("ok"), b(9, 9), b(0), b(7, 7)),
                0, "ok\t\t", "\u0007\u0007");
    }

    @ParameterizedTest(name = "{0}-byte field, {1}")
    @CsvSource({"1, BIG_ENDIAN", "1, LITTLE_ENDIAN", "2, BIG_ENDIAN", "2, LITTLE_ENDIAN",
            "4, BIG_ENDIAN", "4, LITTLE_ENDIAN", "8, BIG_ENDIAN", "8, LITTLE_ENDIAN"})
    void framesRandomPayloadsWithEveryFieldSizeAndOrder(int fieldLength, String orderName) {
        ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        Random random = new Random(fieldLength * 31L + orderName.hashCode());
        List<String> payloads = new ArrayList<>();
        ByteBuffer stream = ByteBuffer.allocate(4096);
        for (int i = 0; i < 12; i++) {
            byte[] payload = new byte[random.nextInt(i == 0 ? 1 : 40)];
            random.nextBytes(payload);
            payloads.add(new String(payload, java.nio.charset.StandardCharsets.ISO_8859_1));
            // The header built by hand, not by the encoder, so the two are checked independently.
            long len = payload.length;
            for (int k = 0; k < fieldLength; k++) {
                int shift = order == ByteOrder.BIG_ENDIAN ? (fieldLength - 1 - k) * 8 : k * 8;
                stream.put((byte) (len >>> shift));
            }
            stream.put(payload);
        }
        byte[] bytes = new byte[stream.flip().remaining()];
        stream.get(bytes);
        LengthFieldFrameDecoder decoder = LengthFieldFrameDecoder.builder()
                .lengthFieldLength(fieldLength).byteOrder(order).initialBytesToStrip(fieldLength).build();
        assertDecodesInEveryChunking(() -> decoder, bytes, 0, payloads.toArray(new String[0]));
    }

    @Test
    void treatsLengthsAsUnsigned() {
        LengthFieldFrameDecoder decoder = LengthFieldFrameDecoder.builder()
                .lengthFieldLength(2).initialBytesToStrip(2).maxFrameLength(70_000).build();
        byte[] payload = new byte[0xFFFF];
        MemoryConn conn = new MemoryConn();
        List<String> frames = feed(decoder, conn, concat(b(0xFF, 0xFF), payload));
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0)).hasSize(0xFFFF);

        LengthFieldFrameDecoder fourBytes = LengthFieldFrameDecoder.builder().build();
        assertThatThrownBy(() -> feed(fourBytes, new MemoryConn(), b(0xFF, 0xFF, 0xFF, 0xFF)))
                .isInstanceOf(CorruptFrameException.class)
                .hasMessageContaining("frame of 4294967299 bytes")
                .hasMessageContaining("limit of 1048576 bytes");
    }

    @Test
    void refusesAnOversizedFrameAsSoonAsItsHeaderArrives() {
        LengthFieldFrameDecoder decoder = LengthFieldFrameDecoder.builder().maxFrameLength(104).build();
        MemoryConn conn = new MemoryConn();
        assertThat(feed(decoder, conn, b(0, 0, 0, 100))).as("a frame of exactly the limit is fine").isEmpty();
        MemoryConn refused = new MemoryConn();
        assertThat(feed(decoder, refused, b(0, 0))).as("half a header").isEmpty();
        assertThatThrownBy(() -> feed(decoder, refused, b(0, 101)))
                .isInstanceOf(CorruptFrameException.class)
                .hasMessage("frame of 105 bytes (length field 101) exceeds the limit of 104 bytes");
    }

    @Test
    void refusesANegativeEightByteLength() {
        LengthFieldFrameDecoder decoder = LengthFieldFrameDecoder.builder().lengthFieldLength(8).build();
        assertThatThrownBy(() -> feed(decoder, new MemoryConn(), b(0x80, 0, 0, 0, 0, 0, 0, 1)))
                .isInstanceOf(CorruptFrameException.class)
                .hasMessageContaining("9223372036854775809")
                .hasMessageContaining("beyond 2^63 - 1");
    }

    @Test
    void refusesALengthWhoseFrameLengthOverflows() {
        LengthFieldFrameDecoder decoder = LengthFieldFrameDecoder.builder().lengthFieldLength(8).lengthAdjustment(1).build();
        assertThatThrownBy(() -> feed(decoder, new MemoryConn(), b(0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)))
                .isInstanceOf(CorruptFrameException.class)
                .hasMessageContaining("overflows");
    }

    @Test
    void refusesAFrameShorterThanItsHeader() {
        LengthFieldFrameDecoder decoder = LengthFieldFrameDecoder.builder().lengthAdjustment(-4).build();
        assertThatThrownBy(() -> feed(decoder, new MemoryConn(), b(0, 0, 0, 3)))
                .isInstanceOf(CorruptFrameException.class)
                .hasMessageContaining("shorter than its 4-byte header");
    }

    @Test
    void refusesAFrameShorterThanTheBytesToStrip() {
        LengthFieldFrameDecoder decoder = LengthFieldFrameDecoder.builder().lengthFieldLength(1).initialBytesToStrip(3).build();
        assertThatThrownBy(() -> feed(decoder, new MemoryConn(), b(1, 'x')))
                .isInstanceOf(CorruptFrameException.class)
                .hasMessageContaining("shorter than the 3 bytes to strip");
    }

    @Test
    void refusesBadConfiguration() {
        assertThatThrownBy(() -> LengthFieldFrameDecoder.builder().lengthFieldLength(3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1, 2, 4 or 8");
        assertThatThrownBy(() -> LengthFieldFrameDecoder.builder().lengthFieldOffset(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LengthFieldFrameDecoder.builder().initialBytesToStrip(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LengthFieldFrameDecoder.builder().maxFrameLength(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LengthFieldFrameDecoder.builder().lengthFieldOffset(4).maxFrameLength(7).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no room for the header");
    }
}
