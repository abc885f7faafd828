package io.gnetj.examples.redis;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.EventHandler;
import io.gnetj.Options;
import io.gnetj.Tick;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A RESP2 server over a {@link Keyspace}: every complete command buffered is run in order and the
 * replies of one {@code onTraffic} are written together, so a pipeline gets one write. A protocol
 * error is answered with {@code -ERR Protocol error: ...} and the connection closed, as Redis does;
 * QUIT answers {@code +OK} and closes.
 *
 * <p>A pipeline is answered only until {@code pauseAt} bytes are queued for the connection (the
 * engine's high-water mark): the rest waits, buffered, until the client has read enough for the
 * queue to drain, when the engine calls {@code onTraffic} again. Without that stop, one 64 KiB
 * read of {@code GET} requests for a 16 KiB value queued about 47 MiB for a client that never
 * reads, and a few dozen such clients exhausted direct memory.
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
    private final int pauseAt;

    /**
     * A handler that stops answering a pipeline at the default high-water mark
     * ({@link Options#writeBufferHighWaterMark()}).
     *
     * @param keyspace     the data
     * @param maxBulk      longest bulk string accepted
     * @param maxMultibulk most arguments in one command
     */
    public RedisHandler(Keyspace keyspace, long maxBulk, long maxMultibulk) {
        this(keyspace, maxBulk, maxMultibulk, Options.defaults().writeBufferHighWaterMark());
    }

    /**
     * @param pauseAt queued outbound bytes at which the rest of a pipeline waits: the engine's
     *                {@link Options#writeBufferHighWaterMark()} (no less, or nothing would call
     *                the handler again for the rest)
     */
    public RedisHandler(Keyspace keyspace, long maxBulk, long maxMultibulk, int pauseAt) {
        this.keyspace = keyspace;
        this.commands = new RedisCommands(keyspace, maxBulk);
        this.maxBulk = maxBulk;
        this.maxMultibulk = maxMultibulk;
        this.pauseAt = pauseAt;
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
            if (conn.outboundBuffered() + reply.length() >= pauseAt) {
                break; // reading is paused now; the engine calls us again once the client catches up
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
