package io.gnetj.examples.http;

/**
 * Per-connection state of the HTTP example, kept in {@code Conn.context()}: the parser, and, made
 * on first use so that a connection that never asks for anything holds neither, a scratch array
 * responses are composed in and (once {@code /json} is asked for) a JSON writer. Serving files, it
 * also counts the files in flight (see {@link FileResponder}).
 *
 * <p>Threading: the connection's loop thread only.
 */
final class HttpSession {

    final HttpRequestParser parser;
    /** Status line, headers and small bodies are composed here, then written with one call. */
    private byte[] out;
    private JsonMessageWriter json;
    /** When the pending request head's first callback ended incomplete ({@code nanoTime}); 0 if none. */
    long headStartedNanos;
    /** {@code --root}: files queued with {@code sendFile} whose callback has not run yet. */
    int filesInFlight;
    /** {@code --root}: requests wait buffered until a file in flight is sent. */
    boolean waitingForFiles;
    /** {@code --root}: the last response is queued; close once {@link #filesInFlight} reaches 0. */
    boolean closeAfterFiles;
    private ByteRange range;

    HttpSession(HttpRequestParser parser) {
        this.parser = parser;
    }

    byte[] out() {
        if (out == null) {
            out = new byte[512];
        }
        return out;
    }

    JsonMessageWriter json() {
        if (json == null) {
            json = new JsonMessageWriter();
        }
        return json;
    }

    ByteRange range() {
        if (range == null) {
            range = new ByteRange();
        }
        return range;
    }

    void close() {
        if (json != null) {
            json.close();
            json = null;
        }
    }
}
