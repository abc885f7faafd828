package io.gnetj.examples.http;

/**
 * Per-connection state of the HTTP example, kept in {@code Conn.context()}: the parser, a scratch
 * array responses are composed in, and (once {@code /json} is asked for) a JSON writer.
 *
 * <p>Threading: the connection's loop thread only.
 */
final class HttpSession {

    final HttpRequestParser parser;
    /** Status line, headers and small bodies are composed here, then written with one call. */
    final byte[] out = new byte[512];
    private JsonMessageWriter json;

    HttpSession(HttpRequestParser parser) {
        this.parser = parser;
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
