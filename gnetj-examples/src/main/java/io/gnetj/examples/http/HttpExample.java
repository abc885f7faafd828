package io.gnetj.examples.http;

import io.gnetj.EventHandler;
import io.gnetj.Options;
import io.gnetj.examples.Flag;
import io.gnetj.examples.Flags;
import io.gnetj.examples.ServerExample;
import java.util.List;

/** {@code http}: the HTTP/1.1 server of {@link HttpHandler}. */
public final class HttpExample extends ServerExample {

    /** Largest request body accepted; 413 past it. */
    public static final Flag MAX_BODY = Flag.size("max-body", "largest request body accepted (413 past it)",
            "1m", 0, 512L * 1024 * 1024);

    @Override
    public String name() {
        return "http";
    }

    @Override
    public String description() {
        return "HTTP/1.1 server: GET /plaintext, GET /json, POST /echo (TechEmpower style, pipelining)";
    }

    @Override
    protected List<Flag> ownFlags() {
        return List.of(MAX_BODY);
    }

    @Override
    protected EventHandler handler(Flags flags) {
        return new HttpHandler(flags.getLong(MAX_BODY.name()), new DateCache());
    }

    @Override
    protected Options.Builder options(Flags flags, Options.Builder builder) {
        // A whole request (head and body) is held unconsumed until complete: let it fit.
        long inbound = flags.getLong(MAX_BODY.name()) + HttpHandler.MAX_REQUEST_LINE
                + HttpHandler.MAX_HEADER_BYTES + 64 * 1024;
        int defaults = Options.defaults().maxInboundBuffered();
        return builder.maxInboundBuffered((int) Math.min(Integer.MAX_VALUE, Math.max(defaults, inbound)));
    }
}
