package io.gnetj.internal;

import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Options;
import java.util.List;

/** The server engine (being written). */
public final class ServerEngine {
    private ServerEngine() {
    }

    /** Starts an engine. */
    public static Engine start(EventHandler handler, List<String> addresses, Options options) {
        throw new UnsupportedOperationException("engine not yet written");
    }
}
