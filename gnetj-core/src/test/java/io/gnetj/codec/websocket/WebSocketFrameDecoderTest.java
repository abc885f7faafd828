package io.gnetj.codec.websocket;

import static io.gnetj.codec.websocket.ClientFrames.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.testing.MemoryConn;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The frame decoder against the MUSTs of RFC 6455 sections 5 and 8 (and RFC 7692 for compressed
 * messages). Every stream is decoded whole, then again cut in two at every byte offset, and again
 * a byte at a time: the events (or the close code of the failure) must be the same each way.
 */
class WebSocketFrameDecoderTest {

    private static final int MAX_FRAME = 4096;
    private static final int MAX_MESSAGE = 8192;

    /** What a stream decodes to: one string per event, and the failure's code last if any. */
    static List<String> decodeAll(byte[] stream, int[] cuts, PerMessageDeflate deflate) {
        MemoryConn conn = new MemoryConn();
        WebSocketFrameDecoder decoder = new WebSocketFrameDecoder(MAX_FRAME, MAX_MESSAGE, deflate);
        List<String> events = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : stream.length;
            conn.receive(stream, from, to - from);
            from = to;
            try {
                for (int e; (e = decoder.decode(conn)) != WebSocketFrameDecoder.NONE; ) {
                    ByteBuffer p = decoder.payload();
                    byte[] bytes = new byte[p.remaining()];
                    p.get(bytes);
                    String body = e == Opcodes.BINARY ? Arrays.toString(bytes) : new String(bytes, StandardCharsets.UTF_8);
                    events.add(Opcodes.name(e) + (e == Opcodes.CLOSE ? " " + decoder.closeCode() : "") + ":" + body);
                }
            } catch (WebSocketException e) {
                events.add("fail " + e.closeCode());
                return events;
            }
            conn.endCallback();
        }
        return events;
    }

    /** Decodes whole, split at every offset, and byte by byte; asserts they agree and returns the result. */
    static List<String> decodeEveryWay(byte[] stream, PerMessageDeflate deflate) {
        List<String> whole = decodeAll(stream, new int[0], deflate);
        for (int cut = 0; cut <= stream.length; cut++) {
            assertThat(decodeAll(stream, new int[] {cut}, freshLike(deflate))).as("cut at %d", cut).isEqualTo(whole);
        }
        int[] every = new int[stream.length];
        for (int i = 0; i < stream.length; i++) {
            every[i] = i;
        }
        assertThat(decodeAll(stream, every, freshLike(deflate))).as("byte by byte").isEqualTo(whole);
        return whole;
    }

    private static PerMessageDeflate freshLike(PerMessageDeflate deflate) {
        return deflate == null ? null : PerMessageDeflate.negotiate(List.of(deflate.response()));
    }

    static List<String> decodeEveryWay(byte[] stream) {
        return decodeEveryWay(stream, null);
    }

    @Test
    void decodesTheRfcsMaskedHelloExample() {
        byte[] rfc = {(byte) 0x81, (byte) 0x85, 0x37, (byte) 0xfa, 0x21, 0x3d, 0x7f, (byte) 0x9f, 0x4d, 0x51, 0x58};
        assertThat(decodeEveryWay(rfc)).containsExactly("text:Hello");
    }

    @Test
    void decodesSevenSixteenAndSixtyFourBitLengths() {
        byte[] small = new byte[125];
        byte[] medium = new byte[300];
        new Random(1).nextBytes(medium);
        ClientFrames f = new ClientFrames().binary(small).binary(medium).text("");
        assertThat(decodeEveryWay(f.bytes())).containsExactly("binary:" + Arrays.toString(small),
                "binary:" + Arrays.toString(medium), "text:");
        // a 64-bit length field (allowed even for a short payload: minimal encoding is not enforced)
        byte[] long64 = new ClientFrames().raw(0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 1, 2, 3).bytes();
        assertThat(decodeEveryWay(long64)).containsExactly("binary:[0, 0, 0]");
    }

    @Test
    void assemblesFragmentsWithControlFramesInterleaved() {
        byte[] stream = new ClientFrames()
                .frame(false, Opcodes.TEXT, utf8("Hel"))
                .ping("p1")
                .frame(false, Opcodes.CONTINUATION, utf8("lo, "))
                .frame(true, Opcodes.PONG, utf8("p2"))
                .frame(true, Opcodes.CONTINUATION, utf8("world"))
                .frame(false, Opcodes.BINARY, new byte[] {1})
                .frame(true, Opcodes.CONTINUATION, new byte[] {2, 3})
                .bytes();
        assertThat(decodeEveryWay(stream)).containsExactly("ping:p1", "pong:p2", "text:Hello, world", "binary:[1, 2, 3]");
    }

    @Test
    void validatesUtf8AcrossFragmentBoundaries() {
        byte[] euro = utf8("\u20ac"); // E2 82 AC, cut between fragments
        byte[] ok = new ClientFrames()
                .frame(false, Opcodes.TEXT, new byte[] {euro[0]})
                .frame(false, Opcodes.CONTINUATION, new byte[] {euro[1]})
                .frame(true, Opcodes.CONTINUATION, new byte[] {euro[2], 'x'})
                .bytes();
        assertThat(decodeEveryWay(ok)).containsExactly("text:\u20acx");
        // fails on the bad fragment, before the final one arrives
        byte[] bad = new ClientFrames()
                .frame(false, Opcodes.TEXT, utf8("ok"))
                .frame(false, Opcodes.CONTINUATION, new byte[] {(byte) 0xC0, (byte) 0x80})
                .bytes();
        assertThat(decodeEveryWay(bad)).containsExactly("fail 1007");
        // a message may not end inside a character
        byte[] truncated = new ClientFrames().frame(true, Opcodes.TEXT, new byte[] {euro[0], euro[1]}).bytes();
        assertThat(decodeEveryWay(truncated)).containsExactly("fail 1007");
    }

    @Test
    void refusesWhatIsNotUtf8() {
        byte[][] invalid = {
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80},             // a surrogate
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
                {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},             // overlong
                {(byte) 0xFF}, {(byte) 0x80}};
        for (byte[] b : invalid) {
            assertThat(decodeAll(new ClientFrames().frame(true, Opcodes.TEXT, b).bytes(), new int[0], null))
                    .as(Arrays.toString(b)).containsExactly("fail 1007");
        }
        assertThat(decodeAll(new ClientFrames().text("\uD83D\uDE00 caf\u00e9").bytes(), new int[0], null))
                .containsExactly("text:\uD83D\uDE00 caf\u00e9");
    }

    @Test
    void failsProtocolErrorsWith1002() {
        assertThat(decodeEveryWay(new ClientFrames().frame(true, 0, Opcodes.TEXT, utf8("x"), false).bytes()))
                .as("unmasked client frame").containsExactly("fail 1002");
        for (int rsv = 1; rsv < 8; rsv++) {
            assertThat(decodeEveryWay(new ClientFrames().frame(true, rsv, Opcodes.TEXT, utf8("x"), true).bytes()))
                    .as("reserved bits %d without extension", rsv).containsExactly("fail 1002");
        }
        for (int op : new int[] {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
            assertThat(decodeEveryWay(new ClientFrames().frame(true, op, new byte[0]).bytes()))
                    .as("reserved opcode %d", op).containsExactly("fail 1002");
        }
        assertThat(decodeEveryWay(new ClientFrames().frame(false, Opcodes.PING, utf8("x")).bytes()))
                .as("fragmented ping").containsExactly("fail 1002");
        assertThat(decodeEveryWay(new ClientFrames().frame(true, Opcodes.PING, new byte[126]).bytes()))
                .as("ping over 125 bytes").containsExactly("fail 1002");
        assertThat(decodeEveryWay(new ClientFrames().frame(true, Opcodes.CONTINUATION, utf8("x")).bytes()))
                .as("continuation without a message").containsExactly("fail 1002");
        assertThat(decodeEveryWay(new ClientFrames().frame(false, Opcodes.TEXT, utf8("a")).text("b").bytes()))
                .as("new message inside a fragmented one").containsExactly("fail 1002");
        assertThat(decodeEveryWay(new ClientFrames().raw(0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4).bytes()))
                .as("64-bit length with the top bit set").containsExactly("fail 1002");
    }

    @Test
    void failsOversizedFramesAndMessagesWith1009BeforeTheirPayload() {
        // only the header is sent: the decoder must not wait for the payload to refuse it
        byte[] header = new ClientFrames().raw(0x82, 0x80 | 126, (MAX_FRAME + 1) >>> 8, (MAX_FRAME + 1) & 0xFF, 1, 2, 3, 4).bytes();
        assertThat(decodeEveryWay(header)).containsExactly("fail 1009");
        byte[] fragments = new ClientFrames()
                .frame(false, Opcodes.BINARY, new byte[MAX_FRAME])
                .frame(false, Opcodes.CONTINUATION, new byte[MAX_FRAME])
                .frame(true, Opcodes.CONTINUATION, new byte[1])
                .bytes();
        assertThat(decodeAll(fragments, new int[0], null)).containsExactly("fail 1009");
    }

    @Test
    void checksCloseFrames() {
        assertThat(decodeEveryWay(new ClientFrames().close(1000, "bye").bytes())).containsExactly("close 1000:\u0003\u00e8bye".replace("\u0003\u00e8", new String(new byte[] {3, (byte) 0xe8}, StandardCharsets.UTF_8)));
        assertThat(decodeEveryWay(new ClientFrames().frame(true, Opcodes.CLOSE, new byte[0]).bytes())).containsExactly("close 1005:");
        assertThat(decodeEveryWay(new ClientFrames().frame(true, Opcodes.CLOSE, new byte[] {3}).bytes()))
                .as("one-byte body").containsExactly("fail 1002");
        for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1100, 2999, 5000}) {
            assertThat(decodeAll(new ClientFrames().close(code, "").bytes(), new int[0], null)).as("code %d", code)
                    .containsExactly("fail 1002");
        }
        for (int code : new int[] {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999}) {
            assertThat(decodeAll(new ClientFrames().close(code, "").bytes(), new int[0], null).get(0)).as("code %d", code)
                    .startsWith("close " + code);
        }
        byte[] badReason = new ClientFrames().frame(true, Opcodes.CLOSE, new byte[] {3, (byte) 0xE8, (byte) 0xFF}).bytes();
        assertThat(decodeEveryWay(badReason)).containsExactly("fail 1007");
    }

    @Test
    void inflatesCompressedMessagesIncludingFragmentedOnes() {
        PerMessageDeflate deflate = PerMessageDeflate.negotiate(List.of("permessage-deflate; client_no_context_takeover"));
        byte[] hello = ClientFrames.deflate(utf8("Hello, Hello, Hello, compressed world"));
        byte[] half1 = Arrays.copyOfRange(hello, 0, hello.length / 2);
        byte[] half2 = Arrays.copyOfRange(hello, hello.length / 2, hello.length);
        byte[] stream = new ClientFrames()
                .frame(true, 4, Opcodes.TEXT, hello, true)
                .frame(false, 4, Opcodes.TEXT, half1, true)
                .ping("between")
                .frame(true, 0, Opcodes.CONTINUATION, half2, true)
                .text("plain")
                .bytes();
        assertThat(decodeEveryWay(stream, deflate)).containsExactly("text:Hello, Hello, Hello, compressed world",
                "ping:between", "text:Hello, Hello, Hello, compressed world", "text:plain");
        assertThat(decodeEveryWay(new ClientFrames().frame(false, 4, Opcodes.TEXT, half1, true)
                .frame(true, 4, Opcodes.CONTINUATION, half2, true).bytes(), deflate))
                .as("RSV1 on a continuation frame").containsExactly("fail 1002");
    }

    @Test
    void aZipBombFailsWith1009WithoutInflatingIt() {
        PerMessageDeflate deflate = PerMessageDeflate.negotiate(List.of("permessage-deflate"));
        byte[] bomb = ClientFrames.deflate(new byte[64 * 1024 * 1024]); // 64 MiB of zeros: about 64 KiB compressed
        assertThat(bomb.length).isLessThan(MAX_FRAME * 20);
        MemoryConn conn = new MemoryConn();
        WebSocketFrameDecoder decoder = new WebSocketFrameDecoder(1 << 20, MAX_MESSAGE, deflate);
        byte[] small = Arrays.copyOf(bomb, Math.min(bomb.length, MAX_MESSAGE - 8)); // a prefix inflates to far more than the limit
        conn.receive(new ClientFrames().frame(true, 4, Opcodes.BINARY, small, true).bytes());
        try {
            decoder.decode(conn);
            throw new AssertionError("no failure");
        } catch (WebSocketException e) {
            assertThat(e.closeCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        }
        assertThat(decoder.retainedBytes()).isLessThanOrEqualTo(MAX_MESSAGE + 4);
    }

    @Test
    void keepsOneSmallBufferAcrossUnfragmentedFrames() {
        MemoryConn conn = new MemoryConn();
        WebSocketFrameDecoder decoder = new WebSocketFrameDecoder(1 << 20, 1 << 20);
        conn.receive(new ClientFrames().binary(new byte[1000]).bytes());
        assertThat(decoder.decode(conn)).isEqualTo(Opcodes.BINARY);
        assertThat(decoder.payload().order()).as("the view reads big-endian, as any ByteBuffer")
                .isEqualTo(java.nio.ByteOrder.BIG_ENDIAN);
        assertThat(decoder.payload().isReadOnly()).isTrue();
        int kept = decoder.retainedBytes();
        conn.receive(new ClientFrames().binary(new byte[900]).bytes());
        assertThat(decoder.decode(conn)).isEqualTo(Opcodes.BINARY);
        assertThat(decoder.retainedBytes()).isEqualTo(kept);
        conn.receive(new ClientFrames().binary(new byte[200_000]).bytes());
        assertThat(decoder.decode(conn)).isEqualTo(Opcodes.BINARY);
        conn.receive(new ClientFrames().binary(new byte[10]).bytes());
        assertThat(decoder.decode(conn)).isEqualTo(Opcodes.BINARY);
        assertThat(decoder.retainedBytes()).as("a large message's buffer is not kept").isLessThanOrEqualTo(WebSocketFrameDecoder.RETAINED_BUFFER);
    }

    @Test
    void utf8ValidatorAgreesWithTheJdkOnRandomBytes() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(12)];
            random.nextBytes(b);
            if (random.nextBoolean()) {
                for (int j = 0; j < b.length; j++) {
                    b[j] &= 0x7F; // mostly ASCII half the time, to reach the 8-byte path
                }
                if (b.length > 0) {
                    b[random.nextInt(b.length)] = (byte) (0x80 | random.nextInt(0x80));
                }
            }
            boolean jdk = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b), java.nio.CharBuffer.allocate(64), true).isUnderflow()
                    && strictJdk(b);
            Utf8Validator v = new Utf8Validator();
            boolean ours = v.check(ByteBuffer.wrap(b), 0, b.length) && v.complete();
            assertThat(ours).as(Arrays.toString(b)).isEqualTo(jdk);
        }
    }

    private static boolean strictJdk(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }
}
