package io.gnetj.codec.websocket;

/**
 * The status codes of a WebSocket Close frame (RFC 6455 section 7.4), and which of them may be
 * sent on the wire.
 *
 * <p>Threading: constants and pure functions; any thread.
 */
public final class CloseCodes {

    /** 1000: the purpose of the connection is fulfilled. */
    public static final int NORMAL = 1000;
    /** 1001: the endpoint is going away (a server shutting down, a page left). */
    public static final int GOING_AWAY = 1001;
    /** 1002: the peer broke the protocol. */
    public static final int PROTOCOL_ERROR = 1002;
    /** 1003: a kind of data the endpoint cannot accept (e.g. binary to a text-only endpoint). */
    public static final int UNSUPPORTED_DATA = 1003;
    /** 1005: no status code was present; never sent, only reported. */
    public static final int NO_STATUS = 1005;
    /** 1006: the connection closed without a Close frame; never sent, only reported. */
    public static final int ABNORMAL = 1006;
    /** 1007: data inconsistent with the message type (text that is not UTF-8). */
    public static final int INVALID_PAYLOAD = 1007;
    /** 1008: a message violates the endpoint's policy (used here for a dropped slow reader). */
    public static final int POLICY_VIOLATION = 1008;
    /** 1009: a frame or message too big to process. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** 1010: the client expected an extension the server did not negotiate. */
    public static final int MANDATORY_EXTENSION = 1010;
    /** 1011: the server met a condition that prevented it from fulfilling the request. */
    public static final int INTERNAL_ERROR = 1011;

    private CloseCodes() {
    }

    /**
     * {@return whether {@code code} may appear in a Close frame} That is 1000-1003, 1007-1011,
     * and 3000-4999 (registered and private use); 1004, 1005, 1006, 1015 and everything below
     * 1000 or in 1012-2999 not yet assigned to endpoints here are refused, as RFC 6455 section
     * 7.4 says. (1012-1014 were registered later with IANA and are accepted.) Any thread.
     *
     * @param code the status code read from, or about to be put into, a Close frame
     */
    public static boolean isValidOnWire(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }
}
