package io.gnetj.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
    void unknownExampleExitsWithUsageError() {
        assertThat(run("gopher")).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown example 'gopher'", "echo http redis push");
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
    void sizesTakeBinarySuffixes() {
        Flags f = Flags.parse(new io.gnetj.examples.http.HttpExample().flags(), java.util.List.of("--max-body", "64k"));
        assertThat(f.getLong("max-body")).isEqualTo(64 * 1024);
        assertThat(Flags.of(new io.gnetj.examples.http.HttpExample().flags(), "max-body", "2m").getLong("max-body"))
                .isEqualTo(2 * 1024 * 1024);
    }
}
