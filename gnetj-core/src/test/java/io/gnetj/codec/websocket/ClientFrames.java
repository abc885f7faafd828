package io.gnetj.codec.websocket;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;

/** Builds the frames a client sends (masked unless asked not to), and reads the server's back. */
final class ClientFrames {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int maskSeed = 0x37FA213D;

    /** A frame with every field chosen. */
    ClientFrames frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {
        out.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length <= 125) {
            out.write(maskBit | payload.length);
        } else if (payload.length <= 0xFFFF) {
            out.write(maskBit | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length);
        } else {
            out.write(maskBit | 127);
            long len = payload.length;
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (len >>> shift));
            }
        }
        byte[] mask = {(byte) (maskSeed >>> 24), (byte) (maskSeed >>> 16), (byte) (maskSeed >>> 8), (byte) maskSeed};
        maskSeed = maskSeed * 31 + 7;
        if (masked) {
            out.writeBytes(mask);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(masked ? payload[i] ^ mask[i & 3] : payload[i]);
        }
        return this;
    }

    ClientFrames frame(boolean fin, int opcode, byte[] payload) {
        return frame(fin, 0, opcode, payload, true);
    }

    ClientFrames text(String s) {
        return frame(true, Opcodes.TEXT, utf8(s));
    }

    ClientFrames binary(byte[] b) {
        return frame(true, Opcodes.BINARY, b);
    }

    ClientFrames ping(String s) {
        return frame(true, Opcodes.PING, utf8(s));
    }

    ClientFrames close(int code, String reason) {
        byte[] r = utf8(reason);
        byte[] body = new byte[2 + r.length];
        body[0] = (byte) (code >>> 8);
        body[1] = (byte) code;
        System.arraycopy(r, 0, body, 2, r.length);
        return frame(true, Opcodes.CLOSE, body);
    }

    /** Raw bytes, e.g. a header with an impossible length. */
    ClientFrames raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Deflates {@code data} as permessage-deflate does: raw deflate, sync flush, tail stripped. */
    static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        byte[] buf = new byte[data.length + 1024];
        int n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
        d.end();
        byte[] out = new byte[n - 4];
        System.arraycopy(buf, 0, out, 0, n - 4);
        return out;
    }

    /** A server frame read back: its header bits and payload. */
    record ServerFrame(boolean fin, boolean rsv1, int opcode, byte[] payload) {
        int closeCode() {
            return payload.length < 2 ? CloseCodes.NO_STATUS : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** Parses unmasked server frames; fails on a masked one or trailing partial bytes. */
    static List<ServerFrame> parseServerFrames(byte[] bytes) {
        List<ServerFrame> frames = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            int b0 = b.get() & 0xFF;
            int b1 = b.get() & 0xFF;
            if ((b1 & 0x80) != 0) {
                throw new AssertionError("server frame is masked");
            }
            long len = b1 & 0x7F;
            if (len == 126) {
                len = b.getShort() & 0xFFFF;
            } else if (len == 127) {
                len = b.getLong();
            }
            byte[] payload = new byte[(int) len];
            b.get(payload);
            frames.add(new ServerFrame((b0 & 0x80) != 0, (b0 & 0x40) != 0, b0 & 0xF, payload));
        }
        return frames;
    }
}
