package io.gnetj.buffer.testing;

import org.jetbrains.kotlinx.lincheck.execution.ExecutionResult;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionResultKt;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.kotlinx.lincheck.util.ExceptionResult;
import org.jetbrains.kotlinx.lincheck.util.LincheckResult;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.verifier.Verifier;

/**
 * gnetj's concurrency checker: Lincheck's bounded model checking and stress runs, set up so that
 * a check gives a verdict and fits in {@code mvn verify}.
 *
 * <p>A check is a public class whose public no-argument constructor builds the state under test,
 * with {@code @Operation} methods (what threads do) and optionally {@code @Validate} methods (run
 * once the threads are quiescent). Lincheck generates scenarios (a few operations on each of a
 * few threads), runs each many times and, in model checking, chooses where threads switch at
 * every shared-memory access and synchronization, exploring interleavings systematically; a
 * stress run uses real threads instead. The verdict is {@link NoExceptionVerdict}: any exception
 * an operation throws fails the check, as does any a validation throws, with the scenario and
 * (model checking) the interleaving that led there. So operations assert what must hold (an {@link AssertionError}),
 * catch the exceptions they expect, and there is no sequential specification to write.
 *
 * <p>What model checking covers: every interleaving of the scenarios it tries, under sequential
 * consistency. It does not model the Java memory model's reorderings (a missing volatile passes);
 * the stress runs and the JDK's own guarantees are what cover those.
 *
 * <p>Run length: short by default (each check well under a minute on two cores, run by
 * {@code mvn verify}); {@code -Dgnetj.check.long=true} runs {@value #LONG_SCENARIO_FACTOR} times
 * the scenarios and {@value #LONG_INVOCATION_FACTOR} times the runs of each, about 20 times the
 * work, for a longer hunt; give it a longer JUnit timeout with {@code -Dgnetj.check.timeout}
 * (docs/reliability.md, "Concurrency checks").
 *
 * <p>In a package of its own ({@code io.gnetj.buffer.testing}, not the module's), so the test-jar
 * can serve other modules' tests: a class in {@code io.gnetj.buffer} itself would be hidden from
 * them by the named module that owns that package.
 *
 * <p>Where checks run: test classes tagged {@value #TAG} run in their own surefire execution (see
 * gnetj-buffer's pom and gnetj-core's), in a JVM with the flags Lincheck needs ({@code gnetj.check.jvmArgs} in the
 * parent pom), and the ordinary test execution leaves them out.
 *
 * <p>Threading: the factories are pure; Lincheck runs one check at a time per JVM.
 */
public final class ConcurrencyCheck {

    /** The JUnit tag of test classes that run concurrency checks. */
    public static final String TAG = "concurrency-check";

    /** The system property that selects the long run. */
    public static final String LONG_PROPERTY = "gnetj.check.long";

    /** How many times the short run's scenarios the long run generates. */
    public static final int LONG_SCENARIO_FACTOR = 10;

    /** How many times the short run's interleavings (or stress runs) the long run tries per scenario. */
    public static final int LONG_INVOCATION_FACTOR = 2;

    private ConcurrencyCheck() {
    }

    /** Whether {@code -Dgnetj.check.long=true} asked for the long run. */
    public static boolean isLongRun() {
        return Boolean.getBoolean(LONG_PROPERTY);
    }

    /** {@code shortRun} scenarios, or {@link #LONG_SCENARIO_FACTOR} times as many in the long run. */
    public static int scenarios(int shortRun) {
        return isLongRun() ? shortRun * LONG_SCENARIO_FACTOR : shortRun;
    }

    /** {@code shortRun} invocations per scenario, or {@link #LONG_INVOCATION_FACTOR} times as many in the long run. */
    public static int invocations(int shortRun) {
        return isLongRun() ? shortRun * LONG_INVOCATION_FACTOR : shortRun;
    }

    /**
     * Model checking options: {@code scenarios} scenarios (each {@code invocations} interleavings)
     * in the short run, more in the long run ({@link #scenarios}, {@link #invocations}); the exception verdict; no operations before or
     * after the parallel part (so the {@code @Validate} methods see the state the threads left);
     * {@link Ownership} left out of the analysis. Set threads and operations per thread on the
     * result, then {@code check(YourCheck.class)}.
     */
    public static ModelCheckingOptions modelChecking(int scenarios, int invocations) {
        return new ModelCheckingOptions()
                .iterations(scenarios(scenarios))
                .invocationsPerIteration(invocations(invocations))
                .actorsBefore(0)
                .actorsAfter(0)
                .verifier(NoExceptionVerdict.class)
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(Ownership.class.getName())
                        .allMethods().ignore());
    }

    /** Stress options, as {@link #modelChecking(int, int)} but with real threads and no interleaving control. */
    public static StressOptions stress(int scenarios, int invocations) {
        return new StressOptions()
                .iterations(scenarios(scenarios))
                .invocationsPerIteration(invocations(invocations))
                .actorsBefore(0)
                .actorsAfter(0)
                .verifier(NoExceptionVerdict.class);
    }

    /**
     * The verdict of every gnetj check: the run passes if no operation threw. Lincheck's own
     * {@code NoExceptionVerifier} looks only at the first operation of the first thread (it serves
     * single-block tests), and Lincheck builds verifiers through a constructor taking the sequential
     * specification, which this one ignores. Exceptions a validation function throws fail the
     * check on their own.
     */
    public static final class NoExceptionVerdict implements Verifier {

        /** Called by Lincheck; there is no sequential specification to use. */
        public NoExceptionVerdict(Class<?> sequentialSpecification) {
        }

        @Override
        public boolean verifyResults(ExecutionScenario scenario, ExecutionResult result) {
            for (LincheckResult each : ExecutionResultKt.getAllResults(result)) {
                if (each instanceof ExceptionResult) {
                    return false;
                }
            }
            return true;
        }
    }
}
