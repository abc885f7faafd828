package io.gnetj.examples.http;

import static io.gnetj.examples.http.HttpSyntax.ascii;

import io.gnetj.Callback;
import io.gnetj.Conn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Answers requests from the files of a {@link DocumentRoot} ({@code http --root DIR}).
 *
 * <p>{@code GET} and {@code HEAD}; any other method on an existing file is a 405 with
 * {@code Allow: GET, HEAD}. A file's response carries {@code Content-Type} (from the extension,
 * see {@link #contentType}), {@code Content-Length}, {@code Last-Modified} and
 * {@code Accept-Ranges: bytes}; a single byte range is a 206 with {@code Content-Range} (see
 * {@link ByteRange}), an unsatisfiable one a 416 with {@code Content-Range: bytes *}{@code /size};
 * {@code If-Range} with anything but the file's exact {@code Last-Modified} turns the range off;
 * {@code If-Modified-Since} at or after the file's modification second is a 304.
 *
 * <h2>Sending</h2>
 * The file is opened per request, the head written, then the range queued with
 * {@link Conn#sendFile}: in order with the writes before and after it, so pipelined responses
 * simply follow one another. The file never passes through the heap on plaintext (the kernel
 * copies it), and a TLS connection reads it 16 KiB at a time; its unsent bytes count in the
 * water marks, so reading from the connection pauses while a big file goes out. The
 * {@link FileSent} callback closes the file whatever the outcome (sent, connection closed,
 * file truncated); on every path that never reaches {@code sendFile} the file is closed here.
 *
 * <h2>Limits</h2>
 * At most {@link #MAX_FILES_IN_FLIGHT} files per connection are open at once: a client that
 * pipelines a thousand requests in one write does not get a thousand file descriptors. Past it,
 * the handler leaves the remaining requests buffered and the next callback to finish wakes the
 * connection to go on. A response that ends the connection ({@code Connection: close},
 * HTTP/1.0) closes it once its file was sent, not at once: {@code Conn.close()} gives queued
 * bytes only {@code closeTimeout}, too short for a large file to a slow client.
 *
 * <p>Statuses answered here (403, 404, 405, 416, 304, 400 for a bad path encoding) keep the
 * connection: the request was well framed. Errors of framing stay the parser's, and close.
 *
 * <p>Threading: one responder shared by every loop (it holds nothing mutable); per-connection
 * state lives in the connection's {@link HttpSession}.
 */
final class FileResponder {

    /** Files a connection may have open (queued or being sent) before its later requests wait. */
    static final int MAX_FILES_IN_FLIGHT = 8;

    private static final byte[] CRLF = ascii("\r\n");
    private static final byte[] STATUS_200 = ascii("HTTP/1.1 200 OK\r\n");
    private static final byte[] STATUS_206 = ascii("HTTP/1.1 206 Partial Content\r\n");
    private static final byte[] STATUS_304 = ascii("HTTP/1.1 304 Not Modified\r\n");
    private static final byte[] SERVER = ascii("Server: gnetj\r\nDate: ");
    private static final byte[] CONTENT_TYPE = ascii("\r\nContent-Type: ");
    private static final byte[] CONTENT_LENGTH = ascii("\r\nContent-Length: ");
    private static final byte[] LAST_MODIFIED = ascii("Last-Modified: ");
    private static final byte[] ACCEPT_RANGES = ascii("Accept-Ranges: bytes\r\n");
    private static final byte[] CONTENT_RANGE = ascii("Content-Range: bytes ");
    private static final byte[] ALLOW = ascii("Allow: GET, HEAD\r\n");
    private static final byte[] TEXT_PLAIN = ascii("text/plain; charset=utf-8");

    private static final byte[] RANGE = ascii("range");
    private static final byte[] IF_RANGE = ascii("if-range");
    private static final byte[] IF_MODIFIED_SINCE = ascii("if-modified-since");

    private static final String[][] TYPES = {
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"txt", "text/plain; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"json", "application/json"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"svg", "image/svg+xml"},
        {"pdf", "application/pdf"},
        {"wasm", "application/wasm"},
    };
    private static final byte[][] TYPE_BYTES = new byte[TYPES.length][];
    private static final byte[] OCTET_STREAM = ascii("application/octet-stream");

    static {
        for (int i = 0; i < TYPES.length; i++) {
            TYPE_BYTES[i] = ascii(TYPES[i][1]);
        }
    }

    private final DocumentRoot root;
    private final DateCache dates;

    FileResponder(DocumentRoot root, DateCache dates) {
        this.root = root;
        this.dates = dates;
    }

    /**
     * Answers the request {@code session.parser} just parsed from {@code in}.
     *
     * @return whether the connection stays open (the handler closes it once its files are sent)
     */
    boolean respond(Conn conn, HttpSession session, ByteBuffer in) {
        HttpRequestParser p = session.parser;
        DocumentRoot.Lookup found = root.resolve(in, p.pathStart(), p.pathLength());
        int method = p.method();
        if (found.status() != 200) {
            return writeStatus(conn, session, found.status(), null, method != HttpRequestParser.METHOD_HEAD);
        }
        if (method != HttpRequestParser.METHOD_GET && method != HttpRequestParser.METHOD_HEAD) {
            return writeStatus(conn, session, 405, ALLOW, true);
        }
        FileChannel file;
        long size;
        try {
            file = FileChannel.open(found.file(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (AccessDeniedException e) {
            return writeStatus(conn, session, 403, null, method != HttpRequestParser.METHOD_HEAD);
        } catch (NoSuchFileException e) {
            return writeStatus(conn, session, 404, null, method != HttpRequestParser.METHOD_HEAD);
        } catch (IOException | RuntimeException e) {
            return writeStatus(conn, session, 500, null, method != HttpRequestParser.METHOD_HEAD);
        }
        try {
            size = file.size();
        } catch (IOException e) {
            closeQuietly(file);
            return writeStatus(conn, session, 500, null, method != HttpRequestParser.METHOD_HEAD);
        }
        return respondWithFile(conn, session, in, file, size, found);
    }

    /** The file is open: the head, then (for GET) the file; closes {@code file} or hands it to the callback. */
    private boolean respondWithFile(Conn conn, HttpSession session, ByteBuffer in, FileChannel file, long size,
                                    DocumentRoot.Lookup found) {
        HttpRequestParser p = session.parser;
        boolean get = p.method() == HttpRequestParser.METHOD_GET;
        long lastModifiedSecond = Math.floorDiv(found.lastModifiedMillis(), 1000);
        byte[] lastModified = DateCache.imfFixdate(lastModifiedSecond);
        int from = p.headersStart();
        int to = p.headEnd();

        long ims = header(in, from, to, IF_MODIFIED_SINCE);
        if (ims >= 0 && notModifiedSince(in, ims, lastModifiedSecond)) {
            closeQuietly(file);
            byte[] out = session.out();
            int n = statusAndDate(out, STATUS_304);
            n = put(out, n, CRLF);
            n = lastModifiedAndConnection(out, n, lastModified, session);
            conn.write(out, 0, n);
            return p.keepAlive();
        }

        int range = ByteRange.WHOLE;
        ByteRange byteRange = session.range();
        long rangeAt = get ? header(in, from, to, RANGE) : -1; // RFC 9110 14.2: Range is for GET only
        if (rangeAt >= 0) {
            long ifRange = header(in, from, to, IF_RANGE);
            if (ifRange == -1 || (ifRange >= 0 && valueEquals(in, ifRange, lastModified))) {
                range = byteRange.parse(in, (int) (rangeAt >>> 32), (int) rangeAt, size);
            }
        }
        if (range == ByteRange.UNSATISFIABLE) {
            closeQuietly(file);
            byte[] out = session.out();
            int n = statusAndType(out, HttpHandler.statusLine(416), TEXT_PLAIN);
            byte[] reason = HttpHandler.reason(416);
            n = contentLength(out, n, reason.length + 1);
            n = put(out, n, CONTENT_RANGE);
            out[n++] = '*';
            out[n++] = '/';
            n = putLong(out, n, size);
            n = put(out, n, CRLF);
            n = lastModifiedAndConnection(out, n, lastModified, session);
            n = put(out, n, reason);
            out[n++] = '\n';
            conn.write(out, 0, n);
            return p.keepAlive();
        }

        long first = range == ByteRange.PARTIAL ? byteRange.first() : 0;
        long count = range == ByteRange.PARTIAL ? byteRange.length() : size;
        byte[] out = session.out();
        int n = statusAndType(out, range == ByteRange.PARTIAL ? STATUS_206 : STATUS_200,
                contentType(found.file().getFileName().toString()));
        n = contentLength(out, n, count);
        n = put(out, n, ACCEPT_RANGES);
        if (range == ByteRange.PARTIAL) {
            n = put(out, n, CONTENT_RANGE);
            n = putLong(out, n, first);
            out[n++] = '-';
            n = putLong(out, n, byteRange.last());
            out[n++] = '/';
            n = putLong(out, n, size);
            n = put(out, n, CRLF);
        }
        n = lastModifiedAndConnection(out, n, lastModified, session);
        conn.write(out, 0, n);
        if (!get || count == 0) {
            closeQuietly(file);
            return p.keepAlive();
        }
        try {
            conn.sendFile(file, first, count, new FileSent(file, session));
        } catch (RuntimeException e) {
            // Never queued (the file shrank under us, or the connection closed): the head promised
            // count bytes, so the stream cannot go on.
            closeQuietly(file);
            conn.abort(e);
            return false;
        }
        session.filesInFlight++;
        return p.keepAlive(); // the handler defers a close until the files are sent
    }

    /**
     * Tells the connection a file went out (or could not): closes the file, and then closes a
     * connection that was to end after it, or wakes one whose later requests waited for a slot.
     */
    private static final class FileSent implements Callback {
        private final FileChannel file;
        private final HttpSession session;

        FileSent(FileChannel file, HttpSession session) {
            this.file = file;
            this.session = session;
        }

        @Override
        public void onComplete(Conn conn, Throwable error) {
            closeQuietly(file);
            session.filesInFlight--;
            if (error != null || !conn.isOpen()) {
                return; // the connection closed (or is closing) with the cause; nothing to resume
            }
            if (session.closeAfterFiles) {
                if (session.filesInFlight == 0) {
                    conn.close();
                }
            } else if (session.waitingForFiles) {
                session.waitingForFiles = false;
                conn.wake(null); // onTraffic again: it answers the requests left buffered
            }
        }
    }

    /** A status with a short text body (the reason), for a request that did not get a file. */
    private boolean writeStatus(Conn conn, HttpSession session, int status, byte[] extra, boolean withBody) {
        byte[] reason = HttpHandler.reason(status);
        byte[] out = session.out();
        int n = statusAndType(out, HttpHandler.statusLine(status), TEXT_PLAIN);
        n = contentLength(out, n, reason.length + 1);
        if (extra != null) {
            n = put(out, n, extra);
        }
        byte[] connection = HttpHandler.connectionHeader(session.parser);
        if (connection != null) {
            n = put(out, n, connection);
        }
        n = put(out, n, CRLF);
        if (withBody) {
            n = put(out, n, reason);
            out[n++] = '\n';
        }
        conn.write(out, 0, n);
        return session.parser.keepAlive();
    }

    /**
     * Whether the {@code If-Modified-Since} value at {@code at} (packed as by {@link #header}) is
     * a date at or after {@code lastModifiedSecond}; an unparsable date is ignored (RFC 9110 13.1.3).
     */
    private static boolean notModifiedSince(ByteBuffer in, long at, long lastModifiedSecond) {
        int start = (int) (at >>> 32);
        int end = (int) at;
        byte[] value = new byte[end - start];
        in.get(start, value);
        try {
            long since = ZonedDateTime.parse(new String(value, java.nio.charset.StandardCharsets.US_ASCII),
                    DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
            return lastModifiedSecond <= since;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /**
     * Finds a header among the lines at {@code [from, to)} (a head the parser accepted, so its
     * lines are well formed).
     *
     * @return the value's absolute start and end (whitespace trimmed) packed as
     *         {@code start << 32 | end}; -1 if absent, -2 if repeated
     */
    static long header(ByteBuffer in, int from, int to, byte[] lowerName) {
        long found = -1;
        int line = from;
        while (line < to) {
            int lf = line;
            while (lf < to && in.get(lf) != '\n') {
                lf++;
            }
            int end = lf > line && in.get(lf - 1) == '\r' ? lf - 1 : lf;
            int colon = line + lowerName.length;
            if (colon < end && in.get(colon) == ':' && nameEquals(in, line, lowerName)) {
                if (found != -1) {
                    return -2;
                }
                int vs = colon + 1;
                while (vs < end && (in.get(vs) == ' ' || in.get(vs) == '\t')) {
                    vs++;
                }
                int ve = end;
                while (ve > vs && (in.get(ve - 1) == ' ' || in.get(ve - 1) == '\t')) {
                    ve--;
                }
                found = (long) vs << 32 | ve;
            }
            line = lf + 1;
        }
        return found;
    }

    private static boolean nameEquals(ByteBuffer in, int at, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            byte b = in.get(at + i);
            if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean valueEquals(ByteBuffer in, long at, byte[] expected) {
        int start = (int) (at >>> 32);
        int end = (int) at;
        if (end - start != expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (in.get(start + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** The {@code Content-Type} for a file name, by its extension (case-insensitive). */
    static byte[] contentType(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot < 0) {
            return OCTET_STREAM;
        }
        String extension = fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        for (int i = 0; i < TYPES.length; i++) {
            if (TYPES[i][0].equals(extension)) {
                return TYPE_BYTES[i];
            }
        }
        return OCTET_STREAM;
    }

    private int statusAndDate(byte[] out, byte[] statusLine) {
        int n = put(out, 0, statusLine);
        n = put(out, n, SERVER);
        return put(out, n, dates.get());
    }

    private int statusAndType(byte[] out, byte[] statusLine, byte[] contentType) {
        int n = statusAndDate(out, statusLine);
        n = put(out, n, CONTENT_TYPE);
        return put(out, n, contentType);
    }

    /** Ends the Content-Type line, writes Content-Length's. */
    private static int contentLength(byte[] out, int n, long length) {
        n = put(out, n, CONTENT_LENGTH);
        n = putLong(out, n, length);
        return put(out, n, CRLF);
    }

    /** {@code Last-Modified}, the connection header if any, and the empty line ending the head. */
    private static int lastModifiedAndConnection(byte[] out, int n, byte[] lastModified, HttpSession session) {
        n = put(out, n, LAST_MODIFIED);
        n = put(out, n, lastModified);
        n = put(out, n, CRLF);
        byte[] connection = HttpHandler.connectionHeader(session.parser);
        if (connection != null) {
            n = put(out, n, connection);
        }
        return put(out, n, CRLF);
    }

    private static int put(byte[] out, int at, byte[] src) {
        System.arraycopy(src, 0, out, at, src.length);
        return at + src.length;
    }

    private static int putLong(byte[] out, int at, long value) {
        if (value == 0) {
            out[at] = '0';
            return at + 1;
        }
        int digits = 0;
        for (long v = value; v > 0; v /= 10) {
            digits++;
        }
        int end = at + digits;
        for (long v = value, i = end - 1; i >= at; i--, v /= 10) {
            out[(int) i] = (byte) ('0' + v % 10);
        }
        return end;
    }

    private static void closeQuietly(FileChannel file) {
        try {
            file.close();
        } catch (IOException ignored) {
            // a read-only channel has nothing to flush; there is nothing more to do
        }
    }
}
