package io.gnetj.examples.push;

import io.gnetj.EventHandler;
import io.gnetj.Options;
import io.gnetj.examples.Flag;
import io.gnetj.examples.Flags;
import io.gnetj.examples.ServerExample;
import java.time.Duration;
import java.util.List;

/** {@code push}: the ticker-driven broadcast server of {@link PushHandler}. */
public final class PushExample extends ServerExample {

    /** Time between broadcasts. */
    public static final Flag INTERVAL = Flag.integer("interval-ms", "milliseconds between broadcasts",
            1000, 1, 3_600_000);
    /** Bytes a client that does not read may have queued before it is closed. */
    public static final Flag MAX_QUEUED = Flag.size("max-queued",
            "outbound bytes queued for a client that does not read before it is closed", "256k", 1024,
            64L * 1024 * 1024);

    @Override
    public String name() {
        return "push";
    }

    @Override
    public String description() {
        return "server push: the ticker broadcasts a line to every client with asyncWrite";
    }

    @Override
    protected List<Flag> ownFlags() {
        return List.of(INTERVAL, MAX_QUEUED);
    }

    @Override
    protected EventHandler handler(Flags flags) {
        return new PushHandler(Duration.ofMillis(flags.getLong(INTERVAL.name())));
    }

    @Override
    protected Options.Builder options(Flags flags, Options.Builder builder) {
        int cap = flags.getInt(MAX_QUEUED.name());
        // The socket send buffer is bounded too: left to autotuning, the kernel keeps accepting a
        // stalled client's bytes (megabytes of them) and the outbound cap is never reached.
        return builder.ticker(true).maxOutboundBuffered(cap).writeBufferWaterMarks(cap / 4, cap / 2)
                .socketSendBuffer(cap);
    }
}
