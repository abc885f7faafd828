package io.gnetj.examples.redis;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.EventHandler;
import io.gnetj.Tick;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A RESP2 server over a {@link Keyspace}: every complete command buffered is run in order and the
 * replies of one {@code onTraffic} are written together, so a pipeline gets one write. A protocol
 * error is answered with {@code -ERR Protocol error: ...} and the connection closed, as Redis does;
 * QUIT answers {@code +OK} and closes.
 *
 * <p>With the ticker on, {@link #onTick} sweeps expired keys once a second.
 *
 * <p>Threading: one handler shared by every loop; per-connection state lives in each connection's
 * context, the keyspace is thread-safe.
 */
public final class RedisHandler implements EventHandler {

    /** Replies composed beyond this are handed to the connection before the batch ends. */
    private static final int FLUSH_AT = 64 * 1024;
    private static final Tick EVERY_SECOND = Tick.after(Duration.ofSeconds(1));

    private final Keyspace keyspace;
    private final RedisCommands commands;
    private final long maxBulk;
    private final long maxMultibulk;

    /**
     * @param keyspace     the data
     * @param maxBulk      longest bulk string accepted
     * @param maxMultibulk most arguments in one command
     */
    public RedisHandler(Keyspace keyspace, long maxBulk, long maxMultibulk) {
        this.keyspace = keyspace;
        this.commands = new RedisCommands(keyspace);
        this.maxBulk = maxBulk;
        this.maxMultibulk = maxMultibulk;
    }

    @Override
    public Action onOpen(Conn conn) {
        conn.context(new RedisSession(new RespParser(maxBulk, maxMultibulk)));
        return Action.NONE;
    }

    @Override
    public Action onTraffic(Conn conn) {
        RedisSession session = conn.context();
        RespParser parser = session.parser;
        Reply reply = session.reply;
        ByteBuffer in = conn.peek(-1);
        int consumed = 0;
        boolean close = false;
        while (in.hasRemaining()) {
            int n = parser.parse(in);
            if (n == RespParser.NEED_MORE) {
                break;
            }
            if (n == RespParser.ERROR) {
                reply.error("ERR " + parser.error());
                close = true;
                break;
            }
            if (parser.argc() > 0) {
                close = commands.execute(parser, reply, session);
            }
            in.position(in.position() + n);
            consumed += n;
            if (close) {
                break;
            }
            if (reply.length() >= FLUSH_AT) {
                conn.write(reply.array(), 0, reply.length());
                reply.clear();
            }
        }
        if (reply.length() > 0) {
            conn.write(reply.array(), 0, reply.length());
            reply.clear();
        }
        if (close) {
            return Action.CLOSE;
        }
        conn.discard(consumed);
        return Action.NONE;
    }

    @Override
    public Tick onTick() {
        keyspace.sweepExpired();
        return EVERY_SECOND;
    }
}
