package io.gnetj.bench.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the amplification probe small (200 connections, the http case) so the tool keeps working:
 * it must start the example server, open and fill the connections, read positive sizes, write
 * its table, and leave no server behind. Not a measurement: the figures are not judged.
 *
 * <p>The probe starts the server from the examples jar, which {@code mvn verify} builds before
 * this module's tests. Without it (a test run from an IDE with nothing packaged) the test is
 * skipped, unless {@code CI=true}, where a missing jar is a broken build and fails it.
 */
class AmplificationProbeSmokeTest {

    private static final Path EXAMPLES_JAR = Path.of(System.getProperty("basedir", "."))
            .resolve("../gnetj-examples/target/gnetj-examples.jar").normalize();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void smallHttpRunMeasuresPositiveSizesAndLeavesNoServerBehind(@TempDir Path out) throws Exception {
        if (!Files.isReadable(EXAMPLES_JAR)) {
            if ("true".equals(System.getenv("CI"))) {
                fail("no examples jar at " + EXAMPLES_JAR + "; mvn verify builds it before gnetj-bench's tests");
            }
            Assumptions.abort("no examples jar at " + EXAMPLES_JAR + " (mvn -o package -DskipTests builds it)");
        }
        Path table = out.resolve("table.md");

        AmplificationProbe.Summary summary = AmplificationProbe.run("--cases", "http", "--conns", "200",
                "--warmup", "5", "--examples-jar", EXAMPLES_JAR.toString(), "--out", out.toString(),
                "--append", table.toString());

        assertThat(summary.failures()).as("measurements that failed").isEmpty();
        List<AmplificationProbe.Result> results = summary.results();
        assertThat(results).as("one measurement, http x 200").hasSize(1);
        AmplificationProbe.Result r = results.get(0);
        assertThat(r.conns()).isEqualTo(200);
        assertThat(r.held()).as("bytes held").hasSize(7);
        assertThat(r.baselineKiB()).as("baseline RSS").isPositive();
        assertThat(r.idleKiB()).as("RSS with idle connections").isPositive();
        assertThat(r.holdingKiB()).as("RSS with connections holding a frame").isPositive();
        assertThat(r.afterCloseKiB()).as("RSS after close").isPositive();
        assertThat(r.notes()).as("the server must keep every connection open while measured")
                .noneMatch(n -> n.startsWith("server closed"));
        assertThat(ProcessHandle.of(r.serverPid()).map(ProcessHandle::isAlive).orElse(false))
                .as("the example server (pid %d) is still running after the probe returned", r.serverPid()).isFalse();
        assertThat(Files.readString(table)).contains(AmplificationProbe.header()).contains("| http | ");
    }
}
