package io.gnetj.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEveryExampleWithItsFlags() {
        assertThat(run("--help")).isZero();
        String help = out.toString(StandardCharsets.UTF_8);
        for (Example e : Examples.ALL) {
            assertThat(help).contains("  " + e.name() + " - " + e.description());
            for (Flag f : e.flags()) {
                assertThat(help).contains("--" + f.name());
            }
        }
        assertThat(help).contains("--port N", "--loops N", "--host H", "one per core");
    }

    @Test
    void noArgumentsShowsHelp() {
        assertThat(run()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage:");
    }

    @Test
    void exampleHelpShowsOnlyThatExample() {
        assertThat(run("http", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("http - ", "--max-body SIZE").doesNotContain("redis - ");
    }

    @Test
    void serversListenWhereTheirClientsLookByDefault() {
        // echo stays on 9000: the README's first command is "echo --port 9000" and "nc 127.0.0.1 9000".
        assertThat(defaultAddress("echo")).isEqualTo("tcp://127.0.0.1:9000");
        assertThat(defaultAddress("udp-echo")).isEqualTo("udp://127.0.0.1:9000");
        assertThat(defaultAddress("redis")).as("redis-cli's default").isEqualTo("tcp://127.0.0.1:6379");
        assertThat(defaultAddress("http")).isEqualTo("tcp://127.0.0.1:8080");
        assertThat(defaultAddress("proxy")).as("clear of the servers it fronts").isEqualTo("tcp://127.0.0.1:7000");
        assertThat(run("redis", "--help")).isZero();
        assertThat(run("http", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .containsPattern("--port N +port to bind, 0 for any free port \\(default: 6379\\)")
                .containsPattern("--port N +port to bind, 0 for any free port \\(default: 8080\\)");
    }

    private static String defaultAddress(String name) {
        ServerExample e = (ServerExample) Examples.byName(name).orElseThrow();
        return e.address(Flags.parse(e.flags(), List.of()));
    }

    @Test
    void unknownExampleExitsWithUsageError() {
        assertThat(run("gopher")).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown example 'gopher'", "echo udp-echo unix-echo client blocking-echo length-field http redis push");
    }

    @Test
    void badFlagValuesExitWithUsageError() {
        assertThat(run("echo", "--port", "x")).isEqualTo(Main.USAGE);
        assertThat(run("echo", "--port", "70000")).isEqualTo(Main.USAGE);
        assertThat(run("echo", "--loops")).isEqualTo(Main.USAGE);
        assertThat(run("echo", "--colour", "red")).isEqualTo(Main.USAGE);
        assertThat(run("http", "--max-body=lots")).isEqualTo(Main.USAGE);
        assertThat(run("echo", "stray")).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--port expects an integer, got 'x'")
                .contains("--port must be between 0 and 65535, got 70000")
                .contains("--loops needs a value")
                .contains("unknown flag --colour")
                .contains("--max-body expects a size");
    }

    @Test
    void aSwitchTakesNoValueAndLeavesTheNextArgumentAlone() {
        List<Flag> declared = List.of(Flag.bool("client", "run as a client"),
                Flag.integer("count", "messages", 10, 1, 100));
        assertThat(Flags.parse(declared, List.of()).getBoolean("client")).isFalse();
        Flags f = Flags.parse(declared, List.of("--client", "--count", "3"));
        assertThat(f.getBoolean("client")).isTrue();
        assertThat(f.getInt("count")).isEqualTo(3);
        assertThat(Flags.parse(declared, List.of("--client=false")).getBoolean("client")).isFalse();
        assertThat(Flags.of(declared, "client", "true").getBoolean("client")).isTrue();
        assertThatThrownBy(() -> Flags.parse(declared, List.of("--client=yes")))
                .isInstanceOf(UsageException.class).hasMessageContaining("--client is a switch");
    }

    @Test
    void sizesTakeBinarySuffixes() {
        Flags f = Flags.parse(new io.gnetj.examples.http.HttpExample().flags(), java.util.List.of("--max-body", "64k"));
        assertThat(f.getLong("max-body")).isEqualTo(64 * 1024);
        assertThat(Flags.of(new io.gnetj.examples.http.HttpExample().flags(), "max-body", "2m").getLong("max-body"))
                .isEqualTo(2 * 1024 * 1024);
    }
}
