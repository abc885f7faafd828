package io.gnetj.codec.websocket;

import io.gnetj.Conn;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The head of an HTTP/1.1 request (request line and header fields, RFC 9112), as an opening
 * handshake needs it: small, strict, and self-contained, so the WebSocket codec depends on no HTTP
 * library. It also serves the plain requests a WebSocket server answers next to its endpoints
 * (the page that opens the socket).
 *
 * <p>{@link #read} waits until the blank line that ends the head is buffered, then parses it and
 * consumes it from the connection; the bytes after it (a body, or the first WebSocket frames of
 * an eager client) stay buffered. Strings are allocated: this runs once per connection.
 *
 * <p>Refused with {@link HttpRequestException}: a head over the limit (431), a request line that
 * is not {@code METHOD SP target SP HTTP/1.x} (400), a header line without a colon or whose name
 * is not a token, obsolete line folding, a bare CR (400).
 *
 * <p>Threading: {@link #read} on the connection's loop thread; a parsed request is immutable and
 * may be read from any thread.
 */
public final class HttpUpgradeRequest {

    private static final String TCHAR = "!#$%&'*+-.^_`|~";

    private final String method;
    private final String target;
    private final int minorVersion;
    private final List<String> names;
    private final List<String> values;

    private HttpUpgradeRequest(String method, String target, int minorVersion, List<String> names, List<String> values) {
        this.method = method;
        this.target = target;
        this.minorVersion = minorVersion;
        this.names = names;
        this.values = values;
    }

    /**
     * Reads one request head from {@code conn} if it is all buffered, consuming it. Loop thread
     * of {@code conn} only.
     *
     * @param conn         the connection
     * @param maxHeadBytes the longest head accepted, blank line included
     * @return the request, or {@code null} if its head is not all buffered yet
     * @throws HttpRequestException if the head is malformed or longer than {@code maxHeadBytes}
     */
    public static HttpUpgradeRequest read(Conn conn, int maxHeadBytes) {
        ByteBuffer view = conn.peek(maxHeadBytes);
        int end = endOfHead(view);
        if (end < 0) {
            if (view.remaining() >= maxHeadBytes) {
                throw new HttpRequestException(431, "request head longer than " + maxHeadBytes + " bytes");
            }
            return null;
        }
        byte[] head = new byte[end - view.position()];
        view.get(view.position(), head);
        conn.discard(head.length);
        return parse(new String(head, StandardCharsets.ISO_8859_1));
    }

    /** Index just past the CRLF CRLF ending the head, or -1. A head may start with stray CRLFs. */
    private static int endOfHead(ByteBuffer b) {
        for (int i = b.position(); i + 3 < b.limit(); i++) {
            if (b.get(i) == '\r' && b.get(i + 1) == '\n' && b.get(i + 2) == '\r' && b.get(i + 3) == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    /**
     * Parses a whole head (request line, header lines, blank line; CRLF line ends). Any thread.
     *
     * @param head the head's bytes as ISO-8859-1 text
     * @return the request
     * @throws HttpRequestException if it is malformed
     */
    public static HttpUpgradeRequest parse(String head) {
        String text = head;
        while (text.startsWith("\r\n")) {
            text = text.substring(2); // RFC 9112 2.2: ignore empty lines before the request line
        }
        String[] lines = text.split("\r\n", -1);
        String requestLine = lines[0];
        int sp1 = requestLine.indexOf(' ');
        int sp2 = requestLine.lastIndexOf(' ');
        if (sp1 <= 0 || sp2 <= sp1 + 1) {
            throw new HttpRequestException(400, "malformed request line");
        }
        String method = requestLine.substring(0, sp1);
        String target = requestLine.substring(sp1 + 1, sp2);
        String version = requestLine.substring(sp2 + 1);
        if (!isToken(method) || target.indexOf(' ') >= 0 || !version.matches("HTTP/1\\.[0-9]")) {
            throw new HttpRequestException(400, "malformed request line");
        }
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0 || line.indexOf('\0') >= 0) {
                throw new HttpRequestException(400, "bare CR, LF or NUL in a header line");
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new HttpRequestException(400, "obsolete line folding");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.substring(0, colon))) {
                throw new HttpRequestException(400, "malformed header line");
            }
            names.add(line.substring(0, colon).toLowerCase(Locale.ROOT));
            values.add(line.substring(colon + 1).trim());
        }
        return new HttpUpgradeRequest(method, target, version.charAt(7) - '0', names, values);
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || TCHAR.indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /** {@return the method, e.g. "GET"} Any thread. */
    public String method() {
        return method;
    }

    /** {@return the request target as sent, e.g. "/chat?room=1"} Any thread. */
    public String target() {
        return target;
    }

    /** {@return the target's path, without the query} Any thread. */
    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** {@return the target's query, without the '?', or "" if none} Any thread. */
    public String query() {
        int q = target.indexOf('?');
        return q < 0 ? "" : target.substring(q + 1);
    }

    /** {@return the minor HTTP version: 1 for HTTP/1.1} Any thread. */
    public int minorVersion() {
        return minorVersion;
    }

    /**
     * {@return the first value of the header {@code name} (case-insensitive), or {@code null}}
     * Any thread.
     *
     * @param name a header name
     */
    public String header(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals(lower)) {
                return values.get(i);
            }
        }
        return null;
    }

    /**
     * {@return every value of the header {@code name} (case-insensitive), in order} Any thread.
     *
     * @param name a header name
     */
    public List<String> headers(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals(lower)) {
                out.add(values.get(i));
            }
        }
        return out;
    }

    /**
     * {@return whether a comma-separated header {@code name} lists {@code token}
     * (case-insensitive), in any of its fields} For {@code Connection: keep-alive, Upgrade}. Any
     * thread.
     *
     * @param name  a header name
     * @param token the token looked for
     */
    public boolean hasToken(String name, String token) {
        for (String value : headers(name)) {
            for (String part : value.split(",")) {
                if (part.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@return whether this asks for a WebSocket: {@code Upgrade: websocket}} The handshake's
     * other requirements are checked by {@link WebSocketHandshake#upgrade}. Any thread.
     */
    public boolean isWebSocketUpgrade() {
        return hasToken("upgrade", "websocket");
    }

    /** The request line. */
    @Override
    public String toString() {
        return method + " " + target + " HTTP/1." + minorVersion;
    }
}
