package io.gnetj.examples.http;

import static io.gnetj.examples.http.HttpSyntax.CHUNKED;
import static io.gnetj.examples.http.HttpSyntax.CLOSE;
import static io.gnetj.examples.http.HttpSyntax.CONNECTION;
import static io.gnetj.examples.http.HttpSyntax.CONTENT_LENGTH;
import static io.gnetj.examples.http.HttpSyntax.CONTINUE_100;
import static io.gnetj.examples.http.HttpSyntax.CR;
import static io.gnetj.examples.http.HttpSyntax.EXPECT;
import static io.gnetj.examples.http.HttpSyntax.GET;
import static io.gnetj.examples.http.HttpSyntax.HEAD;
import static io.gnetj.examples.http.HttpSyntax.HOST;
import static io.gnetj.examples.http.HttpSyntax.HT;
import static io.gnetj.examples.http.HttpSyntax.HTTPS_SCHEME;
import static io.gnetj.examples.http.HttpSyntax.HTTP_SCHEME;
import static io.gnetj.examples.http.HttpSyntax.HTTP_SLASH;
import static io.gnetj.examples.http.HttpSyntax.KEEP_ALIVE;
import static io.gnetj.examples.http.HttpSyntax.LF;
import static io.gnetj.examples.http.HttpSyntax.POST;
import static io.gnetj.examples.http.HttpSyntax.SP;
import static io.gnetj.examples.http.HttpSyntax.TRANSFER_ENCODING;
import static io.gnetj.examples.http.HttpSyntax.equalsExact;
import static io.gnetj.examples.http.HttpSyntax.equalsLower;
import static io.gnetj.examples.http.HttpSyntax.hexValue;
import static io.gnetj.examples.http.HttpSyntax.indexOf;
import static io.gnetj.examples.http.HttpSyntax.isControl;
import static io.gnetj.examples.http.HttpSyntax.isOws;
import static io.gnetj.examples.http.HttpSyntax.isTchar;
import static io.gnetj.examples.http.HttpSyntax.lineEnd;
import static io.gnetj.examples.http.HttpSyntax.parseContentLength;
import static io.gnetj.examples.http.HttpSyntax.startsWithLower;
import static io.gnetj.examples.http.HttpSyntax.trimEnd;
import static io.gnetj.examples.http.HttpSyntax.trimStart;

import java.nio.ByteBuffer;

/**
 * An incremental HTTP/1.1 request parser that reads straight from a {@link ByteBuffer} (for example
 * a {@code Conn.peek} view) without copying headers or allocating per request.
 *
 * <h2>Use</h2>
 * {@link #parse} looks at {@code buf}'s bytes from its position to its limit (absolute reads only;
 * the buffer's position and limit are never changed) and returns
 * <ul>
 *   <li>{@code > 0}: a whole request (head and body) was parsed; that many bytes belong to it.
 *       Its parts are readable through the accessors until the next {@code parse}; offsets are
 *       absolute indexes into the buffer just parsed. The caller consumes the bytes
 *       (advances the position, or {@code Conn.discard}) before parsing the next request.
 *   <li>{@link #NEED_MORE}: the request is incomplete. Call again with the same bytes at the same
 *       start plus whatever arrived since: the parser remembers how far it got and resumes there
 *       (so slowly arriving heads and bodies are not rescanned from the start).
 *   <li>{@link #ERROR}: the request is bad; {@link #errorStatus()} says which status to answer with.
 *       The connection cannot be resynchronised; the parser stays in error.
 * </ul>
 *
 * <h2>What it accepts</h2>
 * A request line {@code METHOD SP target SP HTTP/1.x} (origin-form or absolute-form target),
 * header lines {@code name: value} ended by CRLF (a bare LF is tolerated, a bare CR is not),
 * optional empty lines before the request line, a body framed by {@code Content-Length} or by
 * {@code Transfer-Encoding: chunked} (chunk extensions ignored, trailers skipped).
 *
 * <h2>Errors</h2>
 * 400 for malformed syntax, a missing or repeated {@code Host} in HTTP/1.1, both
 * {@code Content-Length} and {@code Transfer-Encoding}, conflicting or invalid
 * {@code Content-Length}, {@code chunked} not last or repeated, a bad chunk; 414 for a request line
 * over {@code maxRequestLine}; 431 for a header section (or trailer section) over
 * {@code maxHeaderBytes}; 413 for a body over {@code maxBody}; 501 for a transfer coding other than
 * {@code chunked}; 505 for a major version other than 1.
 *
 * <p>The byte-level grammar (token table, header names, scanning and compare primitives) is in
 * {@link HttpSyntax}; this class holds the per-request state machine.
 *
 * <p>Threading: one parser per connection, used by its loop thread only.
 */
public final class HttpRequestParser {

    /** The request is incomplete. */
    public static final int NEED_MORE = 0;
    /** The request is bad; see {@link #errorStatus()}. */
    public static final int ERROR = -1;

    /** Methods the examples route on; any other valid token is {@link #METHOD_OTHER}. */
    public static final int METHOD_OTHER = 0;
    public static final int METHOD_GET = 1;
    public static final int METHOD_HEAD = 2;
    public static final int METHOD_POST = 3;

    /** Longest chunk-size line (with extensions) accepted. */
    static final int MAX_CHUNK_LINE = 4096;

    private static final byte[] NO_BODY = new byte[0];

    // Stages of one request.
    private static final int HEAD_STAGE = 0;
    private static final int BODY_FIXED = 1;
    private static final int CHUNK_SIZE = 2;
    private static final int CHUNK_DATA = 3;
    private static final int CHUNK_DATA_END = 4;
    private static final int TRAILERS = 5;
    private static final int COMPLETE = 6;
    private static final int FAILED = 7;

    private final int maxRequestLine;
    private final int maxHeaderBytes;
    private final long maxBody;

    // ---- progress, relative to the request's first byte ----
    private int stage;
    private int requestStart;     // after skipped leading empty lines
    private int scanned;          // head bytes already searched for the end of the head
    private int lineStart;        // start of the head line being scanned
    private int requestLineEnd;   // just past the request line's LF, or -1
    private int headEnd;          // just past the empty line ending the head
    private int cursor;           // chunked body: next byte to parse
    private long chunkRemaining;
    private int trailerBytes;

    // ---- the request ----
    private int base;             // absolute index of the request's first byte in the last buffer
    private int method;
    private int methodLength;
    private int pathStart;
    private int pathLength;
    private int minorVersion;
    private boolean keepAlive;
    private boolean expectContinue;
    private boolean continueSent;
    private boolean chunked;
    private long contentLength;
    private int bodyStart;
    private byte[] chunkedBody;
    private int chunkedBodyLength;
    private int errorStatus;

    /**
     * @param maxRequestLine longest request line accepted (414 past it)
     * @param maxHeaderBytes largest header section, and trailer section, accepted (431 past it)
     * @param maxBody        largest body accepted (413 past it)
     */
    public HttpRequestParser(int maxRequestLine, int maxHeaderBytes, long maxBody) {
        if (maxRequestLine < 16 || maxHeaderBytes < 16 || maxBody < 0) {
            throw new IllegalArgumentException("limits too small");
        }
        this.maxRequestLine = maxRequestLine;
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxBody = maxBody;
        reset();
    }

    /**
     * Parses the request starting at {@code buf.position()}.
     *
     * @return bytes of a complete request, {@link #NEED_MORE} or {@link #ERROR}
     */
    public int parse(ByteBuffer buf) {
        if (stage == FAILED) {
            return ERROR;
        }
        if (stage == COMPLETE) {
            reset();
        }
        base = buf.position();
        int avail = buf.remaining();
        if (stage == HEAD_STAGE) {
            int headEnd = findHeadEnd(buf, avail);
            if (headEnd <= 0) {
                return headEnd;
            }
            this.headEnd = headEnd;
            if (!parseHead(buf, headEnd)) {
                stage = FAILED;
                return ERROR;
            }
            if (chunked) {
                cursor = headEnd;
                stage = CHUNK_SIZE;
            } else {
                bodyStart = headEnd;
                stage = BODY_FIXED;
            }
        }
        if (stage == BODY_FIXED) {
            long end = bodyStart + contentLength;
            if (avail < end) {
                return NEED_MORE;
            }
            stage = COMPLETE;
            return (int) end;
        }
        return parseChunked(buf, avail);
    }

    // ---- head ----

    /** @return index just past the head's final LF, NEED_MORE, or ERROR */
    private int findHeadEnd(ByteBuffer buf, int avail) {
        int i = scanned;
        while (i < avail) {
            i = indexOf(buf, base, i, avail, LF);
            if (i < 0) {
                i = avail;
                break;
            }
            int lineLength = i - lineStart; // without the LF
            boolean empty = lineLength == 0 || (lineLength == 1 && buf.get(base + lineStart) == CR);
            i++;
            if (requestLineEnd < 0) {
                if (empty) {
                    // RFC 9112 2.2: ignore empty lines before the request line (left by some clients).
                    requestStart = i;
                    if (requestStart > maxRequestLine) {
                        return fail(400);
                    }
                } else {
                    if (lineLength > maxRequestLine) {
                        return fail(414);
                    }
                    requestLineEnd = i;
                }
            } else if (empty) {
                scanned = i;
                if (i - requestLineEnd > maxHeaderBytes + 2) {
                    return fail(431);
                }
                return i;
            }
            lineStart = i;
        }
        scanned = i;
        if (requestLineEnd < 0) {
            if (avail - requestStart > maxRequestLine + 2) {
                return fail(414);
            }
        } else if (avail - requestLineEnd > maxHeaderBytes + 2) {
            return fail(431);
        }
        return NEED_MORE;
    }

    /** Parses the request line and headers; sets the error status and returns false when bad. */
    private boolean parseHead(ByteBuffer buf, int headEnd) {
        if (!parseRequestLine(buf, requestStart, lineEnd(buf, base, requestLineEnd))) {
            return false;
        }
        boolean http11 = minorVersion >= 1;
        boolean closeToken = false;
        boolean keepAliveToken = false;
        int hosts = 0;
        boolean sawContentLength = false;
        boolean sawTransferEncoding = false;
        boolean unknownCoding = false;
        int chunkedCount = 0;
        boolean chunkedLast = false;
        contentLength = 0;

        int ls = requestLineEnd;
        while (ls < headEnd) {
            int lf = indexOf(buf, base, ls, headEnd, LF);
            int le = lineEnd(buf, base, lf + 1);
            if (le == ls) {
                break; // the empty line ending the head
            }
            byte first = buf.get(base + ls);
            if (first == SP || first == HT) {
                return failed(400); // obsolete line folding
            }
            int colon = ls;
            while (colon < le && isTchar(buf.get(base + colon))) {
                colon++;
            }
            if (colon == ls || colon == le || buf.get(base + colon) != ':') {
                return failed(400); // empty name, no colon, or a non-token byte (space) in the name
            }
            int vs = colon + 1;
            int ve = le;
            while (vs < ve && isOws(buf.get(base + vs))) {
                vs++;
            }
            while (ve > vs && isOws(buf.get(base + ve - 1))) {
                ve--;
            }
            for (int k = vs; k < ve; k++) {
                byte b = buf.get(base + k);
                if (isControl(b)) {
                    return failed(400); // bare CR, NUL or another control byte in a value
                }
            }
            int nameLength = colon - ls;
            if (equalsLower(buf, base, ls, nameLength, CONTENT_LENGTH)) {
                long v = parseContentLength(buf, base, vs, ve);
                if (v == -1 || (sawContentLength && v != contentLength)) {
                    return failed(400);
                }
                sawContentLength = true;
                contentLength = v;
            } else if (equalsLower(buf, base, ls, nameLength, TRANSFER_ENCODING)) {
                sawTransferEncoding = true;
                int s = vs;
                while (s <= ve) {
                    int comma = indexOf(buf, base, s, ve, (byte) ',');
                    int e = comma < 0 ? ve : comma;
                    int ts = trimStart(buf, base, s, e);
                    int te = trimEnd(buf, base, ts, e);
                    if (te > ts) {
                        if (equalsLower(buf, base, ts, te - ts, CHUNKED)) {
                            chunkedCount++;
                            chunkedLast = true;
                        } else {
                            unknownCoding = true;
                            chunkedLast = false;
                        }
                    }
                    s = e + 1;
                }
            } else if (equalsLower(buf, base, ls, nameLength, CONNECTION)) {
                int s = vs;
                while (s <= ve) {
                    int comma = indexOf(buf, base, s, ve, (byte) ',');
                    int e = comma < 0 ? ve : comma;
                    int ts = trimStart(buf, base, s, e);
                    int te = trimEnd(buf, base, ts, e);
                    if (equalsLower(buf, base, ts, te - ts, CLOSE)) {
                        closeToken = true;
                    } else if (equalsLower(buf, base, ts, te - ts, KEEP_ALIVE)) {
                        keepAliveToken = true;
                    }
                    s = e + 1;
                }
            } else if (equalsLower(buf, base, ls, nameLength, HOST)) {
                hosts++;
            } else if (equalsLower(buf, base, ls, nameLength, EXPECT)) {
                expectContinue = http11 && equalsLower(buf, base, vs, ve - vs, CONTINUE_100);
            }
            ls = lf + 1;
        }

        if (http11 && hosts != 1) {
            return failed(400); // RFC 9112 3.2: exactly one Host in HTTP/1.1
        }
        if (!http11 && hosts > 1) {
            return failed(400);
        }
        if (sawTransferEncoding) {
            if (sawContentLength || !http11) {
                return failed(400); // request smuggling guard, RFC 9112 6.1 and 6.3
            }
            if (unknownCoding) {
                return failed(501);
            }
            if (chunkedCount != 1 || !chunkedLast) {
                return failed(400);
            }
            chunked = true;
        } else if (contentLength > maxBody) {
            return failed(413);
        }
        keepAlive = http11 ? !closeToken : keepAliveToken && !closeToken;
        return true;
    }

    private boolean parseRequestLine(ByteBuffer buf, int start, int end) {
        int i = start;
        while (i < end && isTchar(buf.get(base + i))) {
            i++;
        }
        if (i == start || i == end || buf.get(base + i) != SP) {
            return failed(400);
        }
        methodLength = i - start;
        if (equalsExact(buf, base, start, methodLength, GET)) {
            method = METHOD_GET;
        } else if (equalsExact(buf, base, start, methodLength, HEAD)) {
            method = METHOD_HEAD;
        } else if (equalsExact(buf, base, start, methodLength, POST)) {
            method = METHOD_POST;
        } else {
            method = METHOD_OTHER;
        }
        int ts = i + 1;
        int te = ts;
        while (te < end) {
            byte b = buf.get(base + te);
            if (b == SP) {
                break;
            }
            if (b <= SP || b == 127) {
                return failed(400);
            }
            te++;
        }
        if (te == ts || te == end) {
            return failed(400);
        }
        int vs = te + 1;
        if (end - vs != 8 || !equalsExact(buf, base, vs, 5, HTTP_SLASH) || buf.get(base + vs + 6) != '.') {
            return failed(400);
        }
        int major = buf.get(base + vs + 5) - '0';
        int minor = buf.get(base + vs + 7) - '0';
        if (major < 0 || major > 9 || minor < 0 || minor > 9) {
            return failed(400);
        }
        if (major != 1) {
            return failed(505);
        }
        minorVersion = minor;
        return parseTarget(buf, ts, te);
    }

    /** Origin-form {@code /path?query}, absolute-form {@code http://host/path}, or {@code *}. */
    private boolean parseTarget(ByteBuffer buf, int ts, int te) {
        int ps = ts;
        if (buf.get(base + ts) != '/') {
            int schemeLength = startsWithLower(buf, base, ts, te, HTTP_SCHEME) ? HTTP_SCHEME.length
                    : startsWithLower(buf, base, ts, te, HTTPS_SCHEME) ? HTTPS_SCHEME.length : -1;
            if (schemeLength < 0) {
                if (te - ts == 1 && buf.get(base + ts) == '*') {
                    pathStart = ts;
                    pathLength = 1;
                    return true;
                }
                return failed(400);
            }
            ps = indexOf(buf, base, ts + schemeLength, te, (byte) '/');
            if (ps < 0) {
                ps = te; // "http://host" means the path "/"; an empty path matches no route here
            }
        }
        int q = indexOf(buf, base, ps, te, (byte) '?');
        pathStart = ps;
        pathLength = (q < 0 ? te : q) - ps;
        return true;
    }

    // ---- chunked body ----

    private int parseChunked(ByteBuffer buf, int avail) {
        while (true) {
            switch (stage) {
                case CHUNK_SIZE: {
                    int lf = indexOf(buf, base, cursor, Math.min(avail, cursor + MAX_CHUNK_LINE + 1), LF);
                    if (lf < 0) {
                        return avail - cursor > MAX_CHUNK_LINE ? fail(400) : NEED_MORE;
                    }
                    int le = lineEnd(buf, base, lf + 1);
                    long size = 0;
                    int k = cursor;
                    while (k < le) {
                        int d = hexValue(buf.get(base + k));
                        if (d < 0) {
                            break;
                        }
                        if (size > (maxBody >>> 4) + 1) {
                            return fail(413); // already far past the limit; stop before overflow
                        }
                        size = (size << 4) | d;
                        k++;
                    }
                    if (k == cursor) {
                        return fail(400);
                    }
                    if (k < le) {
                        // Only whitespace, or whitespace and a chunk extension, may follow the size.
                        int x = trimStart(buf, base, k, le);
                        if (x < le && buf.get(base + x) != ';') {
                            return fail(400);
                        }
                        for (int y = x; y < le; y++) {
                            byte b = buf.get(base + y);
                            if (isControl(b)) {
                                return fail(400);
                            }
                        }
                    }
                    if (chunkedBodyLength + size > maxBody) {
                        return fail(413);
                    }
                    cursor = lf + 1;
                    if (size == 0) {
                        stage = TRAILERS;
                    } else {
                        chunkRemaining = size;
                        ensureBodyCapacity((int) (chunkedBodyLength + size));
                        stage = CHUNK_DATA;
                    }
                    break;
                }
                case CHUNK_DATA: {
                    int n = (int) Math.min(chunkRemaining, avail - cursor);
                    if (n > 0) {
                        buf.get(base + cursor, chunkedBody, chunkedBodyLength, n);
                        chunkedBodyLength += n;
                        cursor += n;
                        chunkRemaining -= n;
                    }
                    if (chunkRemaining > 0) {
                        return NEED_MORE;
                    }
                    stage = CHUNK_DATA_END;
                    break;
                }
                case CHUNK_DATA_END: {
                    if (cursor >= avail) {
                        return NEED_MORE;
                    }
                    byte b = buf.get(base + cursor);
                    if (b == LF) {
                        cursor++;
                    } else if (b == CR) {
                        if (cursor + 1 >= avail) {
                            return NEED_MORE;
                        }
                        if (buf.get(base + cursor + 1) != LF) {
                            return fail(400);
                        }
                        cursor += 2;
                    } else {
                        return fail(400);
                    }
                    stage = CHUNK_SIZE;
                    break;
                }
                case TRAILERS: {
                    int lf = indexOf(buf, base, cursor, avail, LF);
                    if (lf < 0) {
                        return trailerBytes + (avail - cursor) > maxHeaderBytes + 2 ? fail(431) : NEED_MORE;
                    }
                    int le = lineEnd(buf, base, lf + 1);
                    trailerBytes += lf + 1 - cursor;
                    if (trailerBytes > maxHeaderBytes + 2) {
                        return fail(431);
                    }
                    boolean empty = le == cursor;
                    cursor = lf + 1;
                    if (empty) {
                        stage = COMPLETE;
                        return cursor;
                    }
                    break; // a trailer field: tolerated and ignored
                }
                default:
                    throw new IllegalStateException("stage " + stage);
            }
        }
    }

    private void ensureBodyCapacity(int needed) {
        if (chunkedBody == null || chunkedBody.length < needed) {
            int cap = chunkedBody == null ? 1024 : chunkedBody.length;
            while (cap < needed) {
                cap = cap > Integer.MAX_VALUE / 2 ? needed : cap * 2;
            }
            cap = (int) Math.min(cap, Math.max(needed, maxBody));
            byte[] grown = new byte[cap];
            if (chunkedBody != null) {
                System.arraycopy(chunkedBody, 0, grown, 0, chunkedBodyLength);
            }
            chunkedBody = grown;
        }
    }

    // ---- results ----

    /** The status to answer a bad request with (400, 413, 414, 431, 501, 505); 0 if none. */
    public int errorStatus() {
        return errorStatus;
    }

    /** {@link #METHOD_GET}, {@link #METHOD_HEAD}, {@link #METHOD_POST} or {@link #METHOD_OTHER}. */
    public int method() {
        return method;
    }

    /** Absolute index of the path (the target without query) in the buffer last parsed. */
    public int pathStart() {
        return base + pathStart;
    }

    /** Length of the path. */
    public int pathLength() {
        return pathLength;
    }

    /** Whether the path equals {@code path} exactly. */
    public boolean pathEquals(ByteBuffer buf, byte[] path) {
        return pathLength == path.length && equalsExact(buf, base, pathStart, pathLength, path);
    }

    /**
     * Absolute index of the first header line (just past the request line) in the buffer last
     * parsed; with {@link #headEnd()} it bounds the header lines, for a caller that looks for a
     * header this parser does not interpret (the file server's {@code Range}).
     */
    public int headersStart() {
        return base + requestLineEnd;
    }

    /** Absolute index just past the empty line ending the head, in the buffer last parsed. */
    public int headEnd() {
        return base + headEnd;
    }

    /** 0 for HTTP/1.0, 1 (or more) for HTTP/1.1. */
    public int minorVersion() {
        return minorVersion;
    }

    /** Whether the connection stays open after the response (version default and Connection header). */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** Whether the body came chunked (then it is in {@link #chunkedBody()}). */
    public boolean chunked() {
        return chunked;
    }

    /** Body length: the Content-Length, or the sum of the chunks. */
    public int bodyLength() {
        return chunked ? chunkedBodyLength : (int) contentLength;
    }

    /** Absolute index of a Content-Length body in the buffer last parsed. */
    public int bodyStart() {
        return base + bodyStart;
    }

    /**
     * The decoded chunked body (first {@link #bodyLength()} bytes); reused by the next request.
     * Never {@code null}, also for an empty body.
     */
    public byte[] chunkedBody() {
        return chunkedBody != null ? chunkedBody : NO_BODY;
    }

    /**
     * Whether the client waits for {@code 100 Continue} before sending the body: HTTP/1.1,
     * {@code Expect: 100-continue}, the head accepted and the body not yet complete, and
     * {@link #continueSent()} not yet called for this request.
     */
    public boolean shouldSendContinue() {
        return expectContinue && !continueSent && (stage == BODY_FIXED || stage == CHUNK_SIZE
                || stage == CHUNK_DATA || stage == CHUNK_DATA_END);
    }

    /**
     * Whether the parser is inside a request head: the last {@link #parse} returned
     * {@link #NEED_MORE} before the head's end (and the caller has bytes of it buffered).
     */
    public boolean headIncomplete() {
        return stage == HEAD_STAGE;
    }

    /** Records that {@code 100 Continue} was sent for the current request. */
    public void continueSent() {
        continueSent = true;
    }

    // ---- helpers ----

    private void reset() {
        stage = HEAD_STAGE;
        requestStart = 0;
        scanned = 0;
        lineStart = 0;
        requestLineEnd = -1;
        headEnd = 0;
        cursor = 0;
        chunkRemaining = 0;
        trailerBytes = 0;
        method = METHOD_OTHER;
        methodLength = 0;
        pathStart = 0;
        pathLength = 0;
        minorVersion = 1;
        keepAlive = false;
        expectContinue = false;
        continueSent = false;
        chunked = false;
        contentLength = 0;
        bodyStart = 0;
        chunkedBodyLength = 0;
        errorStatus = 0;
        // A large chunked body's array is not kept for the life of the connection.
        if (chunkedBody != null && chunkedBody.length > 64 * 1024) {
            chunkedBody = null;
        }
    }

    private int fail(int status) {
        errorStatus = status;
        stage = FAILED;
        return ERROR;
    }

    private boolean failed(int status) {
        fail(status);
        return false;
    }
}
