package io.gnetj.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The loop's timer heap: deadline order (FIFO on ties), cancelled timers dropped, memory bounded by live timers. */
class LoopTimersTest {

    @Test
    void runsDueTimersInDeadlineOrderAndTiesInTheOrderScheduled() {
        LoopTimers timers = new LoopTimers();
        List<Integer> ran = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        List<long[]> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int n = i;
            long deadline = random.nextInt(50);
            expected.add(new long[] {deadline, i});
            timers.add(new LoopTimers.Timer(timers, () -> ran.add(n), deadline));
        }
        expected.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        assertThat(timers.nextDeadline()).isEqualTo(expected.get(0)[0]);
        timers.runDue(24, t -> { throw new AssertionError(t); });
        timers.runDue(49, t -> { throw new AssertionError(t); });
        assertThat(ran).containsExactlyElementsOf(expected.stream().map(e -> (int) e[1]).toList());
        assertThat(timers.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void cancelledTimersNeverRunAndDoNotAccumulate() {
        LoopTimers timers = new LoopTimers();
        int[] ran = {0};
        LoopTimers.Timer live = new LoopTimers.Timer(timers, () -> ran[0]++, 1_000_000);
        timers.add(live);
        for (int i = 0; i < 1_000_000; i++) {
            LoopTimers.Timer t = new LoopTimers.Timer(timers, () -> ran[0] += 1000, 10 + i);
            timers.add(t);
            assertThat(t.cancel()).isTrue();
        }
        assertThat(timers.size()).as("timers held after a million scheduled and cancelled").isLessThanOrEqualTo(32);
        timers.runDue(2_000_000, t -> { throw new AssertionError(t); });
        assertThat(ran[0]).isEqualTo(1);
        assertThat(live.cancel()).isFalse();
    }

    @Test
    void aThrowingTimerIsReportedAndTheRestStillRun() {
        LoopTimers timers = new LoopTimers();
        List<Throwable> failures = new ArrayList<>();
        int[] ran = {0};
        timers.add(new LoopTimers.Timer(timers, () -> {
            throw new IllegalStateException("on purpose");
        }, 1));
        timers.add(new LoopTimers.Timer(timers, () -> ran[0]++, 2));
        timers.runDue(5, failures::add);
        assertThat(failures).singleElement().isInstanceOf(IllegalStateException.class);
        assertThat(ran[0]).isEqualTo(1);
    }

    @Test
    void clearDropsPendingTimersSoCancelSaysTheyWillNotRunBecauseOfIt() {
        LoopTimers timers = new LoopTimers();
        LoopTimers.Timer t = new LoopTimers.Timer(timers, () -> { throw new AssertionError("ran after clear"); }, 1);
        timers.add(t);
        timers.clear();
        timers.runDue(10, e -> { throw new AssertionError(e); });
        assertThat(t.cancel()).isFalse();
    }
}
