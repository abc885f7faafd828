package io.gnetj.examples.lengthfield;

import io.gnetj.EventHandler;
import io.gnetj.Options;
import io.gnetj.examples.Flag;
import io.gnetj.examples.Flags;
import io.gnetj.examples.ServerExample;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code length-field}: the length-prefixed protocol of {@link UppercaseFrameHandler}, built on
 * gnetj's codec; with {@code --client}, a client that sends frames to such a server and checks
 * the replies ({@link LengthFieldClient}).
 */
public final class LengthFieldExample extends ServerExample {

    /** Largest payload a frame may announce. */
    public static final Flag MAX_FRAME = Flag.size("max-frame",
            "largest payload a frame may announce (the 4-byte header not counted); more closes the connection",
            "1m", 0, 64L * 1024 * 1024);
    /** Client mode instead of a server. */
    public static final Flag CLIENT = Flag.bool("client", "send frames to --address and check the replies");
    /** Client mode: where the server is. */
    public static final Flag ADDRESS = Flag.string("address", "A",
            "client mode: server to dial, tcp://host:port or unix:///path", "tcp://127.0.0.1:9000");
    /** Client mode: frames to send. */
    public static final Flag COUNT = Flag.integer("count", "client mode: frames to send", 10, 1, 100_000_000);
    /** Client mode: how long to wait for any progress. */
    public static final Flag TIMEOUT = Flag.integer("timeout-ms", "client mode: give up when no reply comes for this long",
            5000, 1, 3_600_000);

    @Override
    public String name() {
        return "length-field";
    }

    @Override
    public String description() {
        return "frames with a 4-byte big-endian length, answered upper-cased (--client: send and check)";
    }

    @Override
    protected List<Flag> ownFlags() {
        return List.of(MAX_FRAME, CLIENT, ADDRESS, COUNT, TIMEOUT);
    }

    @Override
    protected EventHandler handler(Flags flags) {
        return new UppercaseFrameHandler(flags.getInt(MAX_FRAME.name()));
    }

    @Override
    protected Options.Builder options(Flags flags, Options.Builder builder) {
        // A legal frame must fit the engine's inbound cap (4 MiB by default).
        int maxFrame = 4 + flags.getInt(MAX_FRAME.name());
        return builder.maxInboundBuffered(Math.max(maxFrame * 2, Options.defaults().maxInboundBuffered()));
    }

    @Override
    public int run(Flags flags, PrintStream out) throws Exception {
        if (!flags.getBoolean(CLIENT.name())) {
            return super.run(flags, out);
        }
        LengthFieldClient.run(flags.getString(ADDRESS.name()), flags.getInt(COUNT.name()),
                flags.getLong(TIMEOUT.name()), out);
        return 0;
    }
}
