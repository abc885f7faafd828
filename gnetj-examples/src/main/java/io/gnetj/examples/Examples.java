package io.gnetj.examples;

import io.gnetj.examples.blocking.BlockingEchoExample;
import io.gnetj.examples.client.ClientExample;
import io.gnetj.examples.echo.EchoExample;
import io.gnetj.examples.echo.UdpEchoExample;
import io.gnetj.examples.echo.UnixEchoExample;
import io.gnetj.examples.http.HttpExample;
import io.gnetj.examples.lengthfield.LengthFieldExample;
import io.gnetj.examples.proxy.ProxyExample;
import io.gnetj.examples.push.PushExample;
import io.gnetj.examples.redis.RedisExample;
import io.gnetj.examples.websocket.WebSocketExample;
import java.util.List;
import java.util.Optional;

/** Every example the launcher knows, in the order {@code --help} lists them. */
public final class Examples {

    /** Add a new example here: one line. */
    public static final List<Example> ALL = List.of(
            new EchoExample(),
            new UdpEchoExample(),
            new UnixEchoExample(),
            new ClientExample(),
            new BlockingEchoExample(),
            new LengthFieldExample(),
            new HttpExample(),
            new RedisExample(),
            new PushExample(),
            new ProxyExample(),
            new WebSocketExample());

    private Examples() {
    }

    /** The example called {@code name}. */
    public static Optional<Example> byName(String name) {
        for (Example e : ALL) {
            if (e.name().equals(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
