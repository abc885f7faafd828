package io.gnetj.codec.websocket;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The permessage-deflate extension (RFC 7692) of one connection: what was agreed in the opening
 * handshake, and the {@link Inflater}/{@link Deflater} that carry it out.
 *
 * <h2>Negotiation</h2>
 * {@link #negotiate} walks the client's offers in its order of preference and takes the first one
 * it can honour:
 * <ul>
 *   <li>{@code server_no_context_takeover}, {@code client_no_context_takeover}: agreed and echoed;
 *       the side concerned resets its compressor after every message.
 *   <li>{@code client_max_window_bits} (with or without a value): agreed, not echoed: the
 *       {@link Inflater} always keeps a 32 KiB window, enough for any window the client uses.
 *   <li>{@code server_max_window_bits=15}: agreed and echoed. A smaller value is declined (the
 *       offer is skipped): {@code java.util.zip}'s {@link Deflater} always uses a 32 KiB window,
 *       and the client could not inflate what it sends.
 *   <li>an unknown parameter, a repeated one or a value out of 8..15 makes the offer invalid:
 *       skipped, as RFC 7692 section 5 asks.
 * </ul>
 *
 * <h2>Bounds</h2>
 * Inflating stops as soon as the output passes the decoder's message limit: a small frame that
 * inflates to gigabytes (a zip bomb) costs at most that limit in memory and fails with
 * {@link CloseCodes#MESSAGE_TOO_BIG}. The {@code Inflater} and {@code Deflater} are made on first
 * use (a connection that never sends a compressed message never holds their native memory) and
 * released by {@link #end()}.
 *
 * <p>Threading: not thread-safe; one per connection, used on its loop thread.
 */
final class PerMessageDeflate {

    /** The four bytes a sync flush ends with, which the sender strips (RFC 7692 section 7.2.1). */
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    private final boolean serverNoContextTakeover;
    private final boolean clientNoContextTakeover;
    /** The {@code Sec-WebSocket-Extensions} value answered. */
    private final String response;

    private Inflater inflater;
    private Deflater deflater;
    private byte[] inflated = new byte[0];
    private byte[] deflated = new byte[0];

    private PerMessageDeflate(boolean serverNoContextTakeover, boolean clientNoContextTakeover, String response) {
        this.serverNoContextTakeover = serverNoContextTakeover;
        this.clientNoContextTakeover = clientNoContextTakeover;
        this.response = response;
    }

    /**
     * The agreement for the client's {@code Sec-WebSocket-Extensions} header values, or
     * {@code null} if none offers permessage-deflate in a form this side can honour.
     */
    static PerMessageDeflate negotiate(List<String> extensionHeaders) {
        for (String header : extensionHeaders) {
            for (String offer : splitOutsideQuotes(header, ',')) {
                PerMessageDeflate agreed = accept(offer);
                if (agreed != null) {
                    return agreed;
                }
            }
        }
        return null;
    }

    private static PerMessageDeflate accept(String offer) {
        List<String> parts = splitOutsideQuotes(offer, ';');
        if (parts.isEmpty() || !parts.get(0).trim().equalsIgnoreCase("permessage-deflate")) {
            return null;
        }
        boolean serverNoTakeover = false;
        boolean clientNoTakeover = false;
        boolean serverBits = false;
        boolean clientBits = false;
        for (String p : parts.subList(1, parts.size())) {
            int eq = p.indexOf('=');
            String name = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : unquote(p.substring(eq + 1).trim());
            switch (name) {
                case "server_no_context_takeover":
                    if (serverNoTakeover || value != null) {
                        return null;
                    }
                    serverNoTakeover = true;
                    break;
                case "client_no_context_takeover":
                    if (clientNoTakeover || value != null) {
                        return null;
                    }
                    clientNoTakeover = true;
                    break;
                case "server_max_window_bits":
                    if (serverBits || windowBits(value) != 15) {
                        return null; // our Deflater's window is 32 KiB: decline anything smaller
                    }
                    serverBits = true;
                    break;
                case "client_max_window_bits":
                    if (clientBits || (value != null && windowBits(value) < 0)) {
                        return null;
                    }
                    clientBits = true;
                    break;
                default:
                    return null;
            }
        }
        StringBuilder response = new StringBuilder("permessage-deflate");
        if (serverNoTakeover) {
            response.append("; server_no_context_takeover");
        }
        if (clientNoTakeover) {
            response.append("; client_no_context_takeover");
        }
        if (serverBits) {
            response.append("; server_max_window_bits=15");
        }
        return new PerMessageDeflate(serverNoTakeover, clientNoTakeover, response.toString());
    }

    /** 8..15 for a valid value (no sign, no leading zero), else -1. */
    private static int windowBits(String value) {
        if (value == null || value.isEmpty() || value.length() > 2 || value.charAt(0) == '0') {
            return -1;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return -1;
            }
        }
        int bits = Integer.parseInt(value);
        return bits >= 8 && bits <= 15 ? bits : -1;
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"' ? v.substring(1, v.length() - 1) : v;
    }

    static List<String> splitOutsideQuotes(String s, char separator) {
        List<String> out = new java.util.ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                addTrimmed(out, s.substring(start, i));
                start = i + 1;
            }
        }
        addTrimmed(out, s.substring(start));
        return out;
    }

    private static void addTrimmed(List<String> out, String part) {
        String t = part.trim();
        if (!t.isEmpty()) {
            out.add(t);
        }
    }

    /** The {@code Sec-WebSocket-Extensions} value to answer with. */
    String response() {
        return response;
    }

    /**
     * Inflates one compressed message, {@code message[0..length)} with room for four more bytes
     * after it (the tail the sender stripped is put there), into a buffer this object owns.
     *
     * @return a heap buffer over the inflated bytes, valid until the next call
     * @throws WebSocketException 1009 past {@code maxMessage} inflated bytes, 1007 for bytes that
     *                            are not deflate data
     */
    ByteBuffer inflate(byte[] message, int length, int maxMessage) {
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        System.arraycopy(TAIL, 0, message, length, TAIL.length);
        inflater.setInput(message, 0, length + TAIL.length);
        int n = 0;
        try {
            while (true) {
                if (n == inflated.length) {
                    if (n > maxMessage) {
                        throw tooBig(maxMessage);
                    }
                    // one byte past the limit tells "too big" from "exactly the limit"
                    int grown = (int) Math.min((long) maxMessage + 1, Math.max(256L, 2L * inflated.length));
                    inflated = java.util.Arrays.copyOf(inflated, grown);
                }
                int got = inflater.inflate(inflated, n, inflated.length - n);
                n += got;
                if (n > maxMessage) {
                    throw tooBig(maxMessage);
                }
                if (got == 0) {
                    if (inflater.needsDictionary()) {
                        throw new WebSocketException(CloseCodes.INVALID_PAYLOAD,
                                "compressed message needs a preset dictionary");
                    }
                    if (n < inflated.length) {
                        break; // room left and nothing came out: the input is used up
                    }
                }
            }
        } catch (DataFormatException e) {
            inflater.reset();
            throw new WebSocketException(CloseCodes.INVALID_PAYLOAD, "compressed message is not valid deflate data: "
                    + e.getMessage());
        }
        if (clientNoContextTakeover || inflater.finished()) {
            inflater.reset(); // a final block ends the stream: the next message starts a new one
        }
        return ByteBuffer.wrap(inflated, 0, n);
    }

    private static WebSocketException tooBig(int maxMessage) {
        return new WebSocketException(CloseCodes.MESSAGE_TOO_BIG, "compressed message inflates past the limit of "
                + maxMessage + " bytes");
    }

    /**
     * Deflates {@code payload}'s remaining bytes (its position moves to its limit) into a buffer
     * this object owns, without the trailing {@code 00 00 FF FF}.
     *
     * @return a heap buffer over the compressed bytes, valid until the next call
     */
    ByteBuffer deflate(ByteBuffer payload) {
        if (deflater == null) {
            deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        }
        deflater.setInput(payload);
        int n = 0;
        while (true) {
            if (deflated.length - n < 64) {
                deflated = java.util.Arrays.copyOf(deflated, Math.max(256, deflated.length * 2));
            }
            int space = deflated.length - n;
            int got = deflater.deflate(deflated, n, space, Deflater.SYNC_FLUSH);
            n += got;
            if (got < space) {
                break; // the flush fitted: everything is out
            }
        }
        if (serverNoContextTakeover) {
            deflater.reset();
        }
        int length = n >= 4 && deflated[n - 4] == 0 && deflated[n - 3] == 0 && deflated[n - 2] == (byte) 0xFF
                && deflated[n - 1] == (byte) 0xFF ? n - 4 : n;
        if (length == 0) {
            deflated[0] = 0; // an empty message: one empty stored block's first byte, as RFC 7692 7.2.3.6
            length = 1;
        }
        return ByteBuffer.wrap(deflated, 0, length);
    }

    /** Releases the native memory of the inflater and deflater. Idempotent. */
    void end() {
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
        if (deflater != null) {
            deflater.end();
            deflater = null;
        }
    }
}
