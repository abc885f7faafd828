package io.gnetj.examples.redis;

import io.gnetj.EventHandler;
import io.gnetj.Options;
import io.gnetj.examples.Flag;
import io.gnetj.examples.Flags;
import io.gnetj.examples.ServerExample;
import java.util.List;

/** {@code redis}: the RESP2 key-value server of {@link RedisHandler}. */
public final class RedisExample extends ServerExample {

    /** Longest bulk string (Redis's proto-max-bulk-len is 512 MiB; a smaller default bounds memory). */
    public static final Flag MAX_BULK = Flag.size("max-bulk", "longest bulk string accepted",
            "16m", 1, 512L * 1024 * 1024);
    /** Most arguments in one command. */
    public static final Flag MAX_ARGS = Flag.integer("max-args", "most arguments in one command",
            1024 * 1024, 1, Integer.MAX_VALUE);

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String description() {
        return "RESP2 in-memory key-value server for redis-cli and redis-benchmark";
    }

    /** 6379, Redis's port: redis-cli and redis-benchmark connect there when not told otherwise. */
    @Override
    protected int defaultPort() {
        return 6379;
    }

    @Override
    protected List<Flag> ownFlags() {
        return List.of(MAX_BULK, MAX_ARGS);
    }

    @Override
    protected EventHandler handler(Flags flags) {
        return new RedisHandler(new Keyspace(), flags.getLong(MAX_BULK.name()), flags.getLong(MAX_ARGS.name()));
    }

    @Override
    protected Options.Builder options(Flags flags, Options.Builder builder) {
        // The unconsumed bytes of a connection hold at most one incomplete command: let the
        // biggest bulk fit, with room for the rest of the command; the ticker sweeps expired keys.
        long inbound = Math.max(Options.defaults().maxInboundBuffered(), 2 * flags.getLong(MAX_BULK.name()));
        return builder.ticker(true).maxInboundBuffered((int) Math.min(Integer.MAX_VALUE, inbound));
    }
}
