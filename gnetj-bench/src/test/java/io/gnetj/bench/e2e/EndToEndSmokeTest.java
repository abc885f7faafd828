package io.gnetj.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the end-to-end runner in smoke mode: every server starts in its own JVM, answers its probe,
 * takes about a second of each load, and the report and chart are written. Not a measurement.
 *
 * <p>Without {@code wrk} the test is skipped, unless {@code CI=true}, where a missing wrk is a
 * broken CI machine and fails it.
 */
class EndToEndSmokeTest {

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void smokeRunStartsEveryServerChecksItAndWritesTheReport(@TempDir Path out) throws Exception {
        if (!Wrk.installed()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("wrk is not installed; CI must install it (apt-get install -y wrk)");
            }
            Assumptions.abort("wrk is not installed (apt-get install -y wrk); the end-to-end smoke run needs it");
        }

        Runner.Summary summary = Runner.run("--smoke", "--out", out.toString());

        List<Result> results = summary.results();
        assertThat(results.stream().filter(r -> r.status() == Result.Status.FAILED))
                .as("failed runs").isEmpty();
        for (Case c : Case.all(1)) {
            for (String impl : c.impls()) {
                Result r = results.stream()
                        .filter(x -> x.caseName().equals(c.name()) && x.impl().equals(impl))
                        .findFirst().orElseThrow(() -> new AssertionError("no result for " + c.name() + " " + impl));
                if (impl.equals(Case.GNETJ_EPOLL) && Runtime.version().feature() < 22) {
                    // gnetj's epoll transport is JDK 22+ (the smoke run's servers use this JDK).
                    assertThat(r.status()).isEqualTo(Result.Status.SKIPPED);
                    assertThat(r.note()).contains("needs JDK 22+");
                    continue;
                }
                if (impl.equals(Case.NETTY_EPOLL) && r.status() == Result.Status.SKIPPED) {
                    // Only the linux-x86_64 native library is bundled.
                    assertThat(r.note()).contains("epoll is not available");
                    continue;
                }
                assertThat(r.status()).as(c.name() + " " + impl + ": " + r.note()).isEqualTo(Result.Status.OK);
                if (c.load() == Case.Load.IDLE) {
                    assertThat(r.get(Result.RSS_AFTER_MIB)).as("RSS after").isPositive();
                } else {
                    assertThat(r.get(Result.THROUGHPUT)).as(c.name() + " " + impl + " throughput").isPositive();
                    assertThat(r.get(Result.CPU_US_PER_REQ)).as("CPU per request").isPositive();
                    assertThat(r.get(Result.ALLOC_LOOP_B_PER_REQ)).as("allocation per request").isNotNaN();
                }
            }
        }

        String report = Files.readString(summary.report());
        assertThat(report).contains("### JDK ").contains("| http | netty-nio |").contains("idle-echo");
        BufferedImage chart = ImageIO.read(summary.chart().toFile());
        assertThat(chart).as("chart PNG").isNotNull();
        assertThat(chart.getWidth()).isGreaterThan(100);
        assertThat(Files.readString(out.resolve("results.csv")).lines().count()).isEqualTo(results.size() + 1);
    }
}
