package io.gnetj.examples;

import io.gnetj.examples.echo.EchoExample;
import io.gnetj.examples.http.HttpExample;
import io.gnetj.examples.push.PushExample;
import io.gnetj.examples.redis.RedisExample;
import java.util.List;
import java.util.Optional;

/** Every example the launcher knows, in the order {@code --help} lists them. */
public final class Examples {

    /** Add a new example here: one line. */
    public static final List<Example> ALL = List.of(
            new EchoExample(),
            new HttpExample(),
            new RedisExample(),
            new PushExample());

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
