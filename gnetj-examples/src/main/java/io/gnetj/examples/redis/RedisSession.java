package io.gnetj.examples.redis;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-connection state of the redis example, kept in {@code Conn.context()}.
 *
 * <p>Threading: the connection's loop thread only.
 */
final class RedisSession {

    private static final AtomicLong IDS = new AtomicLong();

    final RespParser parser;
    final Reply reply = new Reply();
    final long id = IDS.incrementAndGet();
    byte[] name;

    RedisSession(RespParser parser) {
        this.parser = parser;
    }
}
