package io.gnetj.examples.redis;

/**
 * A command failed with a Redis error reply; the message is the reply's text without the leading
 * {@code -}. The shared instances have no stack trace: they are replies, not bugs.
 */
final class RedisError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final RedisError WRONG_TYPE =
            new RedisError("WRONGTYPE Operation against a key holding the wrong kind of value");
    static final RedisError NOT_INTEGER = new RedisError("ERR value is not an integer or out of range");
    static final RedisError OVERFLOW = new RedisError("ERR increment or decrement would overflow");
    static final RedisError SYNTAX = new RedisError("ERR syntax error");

    RedisError(String message) {
        super(message, null, false, false);
    }
}
