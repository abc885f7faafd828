package io.gnetj.examples.http;

/**
 * Per-connection state of the HTTP example, kept in {@code Conn.context()}: the parser, and, made
 * on first use so that a connection that never asks for anything holds neither, a scratch array
 * responses are composed in and (once {@code /json} is asked for) a JSON writer.
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

    void close() {
        if (json != null) {
            json.close();
            json = null;
        }
    }
}
