package io.gnetj.examples.echo;

import io.gnetj.EventHandler;
import io.gnetj.examples.Flags;
import io.gnetj.examples.ServerExample;

/** {@code echo}: sends every byte back. */
public final class EchoExample extends ServerExample {

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public String description() {
        return "TCP echo server: every byte received is sent back";
    }

    @Override
    protected EventHandler handler(Flags flags) {
        return new EchoHandler();
    }
}
