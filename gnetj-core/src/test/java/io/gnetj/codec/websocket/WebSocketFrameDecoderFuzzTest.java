package io.gnetj.codec.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gnetj.testing.MemoryConn;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes {@link WebSocketFrameDecoder}, with and without permessage-deflate, fed through a
 * {@link MemoryConn} in chunks the fuzzer chooses.
 *
 * <p>{@link #decode}: any bytes. The decoder throws nothing but {@link WebSocketException}, and
 * only with 1002, 1007 or 1009; no message passes the limit, no control payload passes 125 bytes,
 * every text message and close reason is UTF-8; the events are the same however the stream is
 * cut. {@link #validFramesRoundTrip}: messages built from the fuzzer's bytes, cut into fragments
 * with control frames between them (and compressed, when chosen), decode to exactly themselves.
 *
 * <p>Runs in regression mode in every build over the inputs committed under
 * {@code src/test/resources/io/gnetj/codec/websocket/WebSocketFrameDecoderFuzzTestInputs/<method>/};
 * fuzzes with {@code JAZZER_FUZZ=1} (see docs/reliability.md for the command).
 */
@Tag("fuzz")
class WebSocketFrameDecoderFuzzTest {

    private static final int MAX_FRAME = 512;
    private static final int MAX_MESSAGE = 1024;

    /**
     * {@code data[0]}: bits 0-5 the chunk size (0: whole), bit 6 permessage-deflate; the rest is
     * the stream.
     */
    @FuzzTest(maxDuration = "5m")
    void decode(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int chunk = data[0] & 0x3F;
        boolean deflate = (data[0] & 0x40) != 0;
        byte[] stream = Arrays.copyOfRange(data, 1, data.length);
        List<String> whole = run(stream, stream.length, deflate);
        if (chunk > 0) {
            assertThat(run(stream, chunk, deflate)).as("events with the stream cut every %d bytes", chunk).isEqualTo(whole);
        }
    }

    private static List<String> run(byte[] stream, int chunk, boolean deflate) {
        MemoryConn conn = new MemoryConn();
        WebSocketFrameDecoder decoder = new WebSocketFrameDecoder(MAX_FRAME, MAX_MESSAGE,
                deflate ? PerMessageDeflate.negotiate(List.of("permessage-deflate")) : null);
        List<String> events = new ArrayList<>();
        try {
            for (int from = 0; from < stream.length; from += chunk) {
                conn.receive(stream, from, Math.min(chunk, stream.length - from));
                try {
                    for (int e; (e = decoder.decode(conn)) != WebSocketFrameDecoder.NONE; ) {
                        events.add(describe(decoder, e));
                    }
                } catch (WebSocketException e) {
                    assertThat(e.closeCode()).isIn(CloseCodes.PROTOCOL_ERROR, CloseCodes.INVALID_PAYLOAD,
                            CloseCodes.MESSAGE_TOO_BIG);
                    events.add("fail " + e.closeCode());
                    return events;
                }
                conn.endCallback();
            }
        } finally {
            decoder.release();
        }
        return events;
    }

    private static String describe(WebSocketFrameDecoder decoder, int event) {
        ByteBuffer p = decoder.payload();
        byte[] bytes = new byte[p.remaining()];
        p.get(bytes);
        if (Opcodes.isControl(event)) {
            assertThat(bytes.length).as("control payload").isLessThanOrEqualTo(Opcodes.MAX_CONTROL_PAYLOAD);
        } else {
            assertThat(bytes.length).as("message size").isLessThanOrEqualTo(MAX_MESSAGE);
        }
        if (event == Opcodes.TEXT) {
            assertThat(isUtf8(bytes)).as("text message is UTF-8").isTrue();
        }
        if (event == Opcodes.CLOSE && bytes.length >= 2) {
            assertThat(CloseCodes.isValidOnWire(decoder.closeCode())).isTrue();
            assertThat(isUtf8(Arrays.copyOfRange(bytes, 2, bytes.length))).as("close reason is UTF-8").isTrue();
        }
        return Opcodes.name(event) + " " + Arrays.toString(bytes);
    }

    private static boolean isUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * Messages from the fuzzer's bytes: each a type, a payload, a fragment size and whether to
     * compress it (and whether to put a ping between fragments); the stream arrives in chunks the
     * fuzzer chooses. Decodes to exactly the messages and pings built.
     */
    @FuzzTest(maxDuration = "5m")
    void validFramesRoundTrip(byte[] data) {
        Source in = new Source(data);
        boolean deflate = in.bool();
        int chunk = 1 + in.next(64);
        ClientFrames frames = new ClientFrames();
        List<String> expected = new ArrayList<>();
        for (int m = in.next(6); m > 0; m--) {
            boolean text = in.bool();
            byte[] payload = text ? in.text(in.next(300)).getBytes(StandardCharsets.UTF_8) : in.bytes(in.next(300));
            boolean compress = deflate && in.bool();
            byte[] wire = compress ? ClientFrames.deflate(payload) : payload;
            int fragment = 1 + in.next(Math.max(1, wire.length));
            int off = 0;
            boolean first = true;
            do {
                int n = Math.min(fragment, wire.length - off);
                boolean fin = off + n == wire.length;
                frames.frame(fin, first && compress ? 4 : 0, first ? (text ? Opcodes.TEXT : Opcodes.BINARY) : Opcodes.CONTINUATION,
                        Arrays.copyOfRange(wire, off, off + n), true);
                if (!fin && in.bool()) {
                    frames.ping("p" + off);
                    expected.add("ping " + Arrays.toString(("p" + off).getBytes(StandardCharsets.UTF_8)));
                }
                off += n;
                first = false;
            } while (off < wire.length);
            expected.add((text ? "text " : "binary ") + Arrays.toString(payload));
        }
        assertThat(run(frames.bytes(), chunk, deflate)).isEqualTo(expected);
    }

    /** Turns fuzzer bytes into choices; past the end, every choice is the first option. */
    private static final class Source {
        private static final String CHARS = "ab \u00e9\u20ac\ud83d\ude00z";
        private final byte[] data;
        private int pos;

        Source(byte[] data) {
            this.data = data;
        }

        int next(int bound) {
            if (bound <= 0 || pos >= data.length) {
                return 0;
            }
            return (data[pos++] & 0xff) % bound;
        }

        boolean bool() {
            return next(2) == 1;
        }

        byte[] bytes(int n) {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) next(256);
            }
            return b;
        }

        String text(int n) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < n / 3; i++) {
                int c = next(7);
                b.append(c == 6 ? "\ud83d\ude00" : String.valueOf(CHARS.charAt(c)));
            }
            return b.toString();
        }
    }
}
