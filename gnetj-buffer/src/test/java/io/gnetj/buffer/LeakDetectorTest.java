package io.gnetj.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The leak detector against real garbage collection. Waits are bounded: a few dozen rounds of
 * {@link System#gc()} and a short sleep at most.
 */
class LeakDetectorTest {

    static final int MAX_GC_ROUNDS = 50;

    /** Nudges the collector until {@code expected} leaks were collected (or the rounds run out). */
    static int collectLeaks(int expected) throws InterruptedException {
        int found = LeakDetector.collect();
        for (int i = 0; i < MAX_GC_ROUNDS && found < expected; i++) {
            System.gc();
            Thread.sleep(10);
            found += LeakDetector.collect();
        }
        return found;
    }

    /** Takes a buffer and forgets it: after this returns, nothing references the handle. */
    static void takeAndDrop(BufferPool pool) {
        PooledBuffer b = pool.take(1000);
        b.buffer().put(0, (byte) 1);
    }

    @Test
    void aDroppedBufferIsReportedWithTheStackThatTookIt() throws InterruptedException {
        BufferPool pool = BufferPool.builder().leakDetection(LeakDetector.Level.PARANOID).build();
        Logger jul = Logger.getLogger(LeakDetector.class.getName());
        List<LogRecord> logged = Collections.synchronizedList(new ArrayList<>());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean useParent = jul.getUseParentHandlers();
        jul.addHandler(capture);
        jul.setUseParentHandlers(false);
        try {
            long before = LeakDetector.totalLeaks();
            takeAndDrop(pool);
            int found = collectLeaks(1);
            LeakCheckExtension.expectLeaks(found);

            assertThat(found).isEqualTo(1);
            assertThat(LeakDetector.totalLeaks()).isEqualTo(before + 1);
            assertThat(pool.inUseBytes()).as("a leaked chunk is no longer counted in use").isZero();
            assertThat(pool.inUseCount()).isZero();
            assertThat(pool.retainedBytes()).as("a leaked chunk never goes back to the pool").isZero();

            assertThat(logged).hasSize(1);
            LogRecord record = logged.get(0);
            assertThat(record.getLevel()).isEqualTo(Level.SEVERE);
            assertThat(record.getMessage()).contains("LEAK").contains("1024 bytes").contains(pool.toString());
            StringWriter stack = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(stack));
            assertThat(stack.toString()).contains("takeAndDrop").contains(Thread.currentThread().getName());

            long allocated = pool.allocatedBytes();
            pool.release(pool.take(1000));
            assertThat(pool.allocatedBytes()).isEqualTo(allocated + 1024);
        } finally {
            jul.removeHandler(capture);
            jul.setUseParentHandlers(useParent);
        }
    }

    @Test
    void aLeakedBufferACacheLentNoLongerCountsForTheCache() throws InterruptedException {
        BufferPool pool = BufferPool.builder().leakDetection(LeakDetector.Level.PARANOID).build();
        Logger jul = Logger.getLogger(LeakDetector.class.getName());
        boolean useParent = jul.getUseParentHandlers();
        jul.setUseParentHandlers(false); // the leak is on purpose: keep its report out of the build log
        try (BufferCache cache = pool.newCache()) {
            PooledBuffer kept = cache.take(300);
            takeAndDrop(cache);
            assertThat(cache.inUseBytes()).isEqualTo(512 + 1024);
            int found = collectLeaks(1);
            LeakCheckExtension.expectLeaks(found);
            assertThat(found).isEqualTo(1);
            assertThat(cache.inUseBytes()).as("the leaked chunk is gone, not the cache's any more").isEqualTo(512);
            assertThat(pool.inUseBytes()).isEqualTo(512);
            assertThat(pool.inUseCount()).isEqualTo(1);
            cache.release(kept);
            assertThat(cache.inUseBytes()).isZero();
            assertThat(pool.inUseBytes()).isZero();
        } finally {
            jul.setUseParentHandlers(useParent);
        }
    }

    /** Takes a buffer through a cache and forgets it. */
    static void takeAndDrop(BufferCache cache) {
        PooledBuffer b = cache.take(1000);
        b.buffer().put(0, (byte) 1);
    }

    @Test
    void releasedBuffersAreNotReported() throws InterruptedException {
        BufferPool pool = BufferPool.builder().leakDetection(LeakDetector.Level.PARANOID).build();
        int live = LeakDetector.liveRecords();
        for (int i = 0; i < 10; i++) {
            pool.release(pool.take(100 * i + 1));
        }
        assertThat(LeakDetector.liveRecords()).isEqualTo(live);
        System.gc();
        Thread.sleep(20);
        assertThat(LeakDetector.collect()).isZero();
    }

    @Test
    void paranoidTracksEveryTake() {
        BufferPool pool = BufferPool.builder().leakDetection(LeakDetector.Level.PARANOID).build();
        try (BufferCache cache = pool.newCache()) {
            for (int i = 0; i < 100; i++) {
                cache.release(cache.take(256));
                pool.release(pool.take(256));
            }
        }
        assertThat(pool.leakDetector().level()).isEqualTo(LeakDetector.Level.PARANOID);
        assertThat(pool.leakDetector().trackedCount()).isEqualTo(200);
    }

    @Test
    void sampledTracksAboutOneTakeIn128() {
        BufferPool pool = BufferPool.builder().leakDetection(LeakDetector.Level.SAMPLED).build();
        int takes = 128 * 200;
        for (int i = 0; i < takes; i++) {
            pool.release(pool.take(256));
        }
        // Expected 200, standard deviation about 14: these bounds are more than 5 deviations wide.
        assertThat(pool.leakDetector().trackedCount()).isBetween(120L, 300L);
    }

    @Test
    void simpleTracksAboutOneTakeIn128ThroughThePoolAndThroughACache() {
        BufferPool pool = BufferPool.builder().leakDetection(LeakDetector.Level.SIMPLE).build();
        int takes = 128 * 200;
        for (int i = 0; i < takes; i++) {
            pool.release(pool.take(256));
        }
        // Expected 200, standard deviation about 14: these bounds are more than 5 deviations wide.
        assertThat(pool.leakDetector().trackedCount()).isBetween(120L, 300L);

        BufferPool cached = BufferPool.builder().leakDetection(LeakDetector.Level.SIMPLE).build();
        try (BufferCache cache = cached.newCache()) {
            for (int i = 0; i < takes; i++) {
                cache.release(cache.take(256));
            }
        }
        // The cache's countdown: intervals uniform in [1, 255], so 200 expected, deviation about 8.
        assertThat(cached.leakDetector().trackedCount()).isBetween(120L, 300L);
    }

    @Test
    void aCacheCountdownDrawsIntervalsThatAverage128AndParanoidTracksEach() {
        LeakDetector simple = BufferPool.builder().leakDetection(LeakDetector.Level.SIMPLE).build().leakDetector();
        long sum = 0;
        int draws = 10_000;
        for (int i = 0; i < draws; i++) {
            int countdown = simple.nextSampleCountdown();
            assertThat(countdown).isBetween(1, 255);
            sum += countdown;
        }
        // Mean 128, standard deviation of the mean about 0.74.
        assertThat((double) sum / draws).isBetween(124.0, 132.0);
        LeakDetector paranoid = BufferPool.builder().leakDetection(LeakDetector.Level.PARANOID).build().leakDetector();
        assertThat(paranoid.nextSampleCountdown()).isEqualTo(1);
        LeakDetector disabled = BufferPool.builder().leakDetection(LeakDetector.Level.DISABLED).build().leakDetector();
        assertThat(disabled.nextSampleCountdown()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void aLeakAtSimpleIsReportedWithoutAStackSayingHowToFindWhere() throws InterruptedException {
        BufferPool pool = BufferPool.builder().leakDetection(LeakDetector.Level.SIMPLE).build();
        Logger jul = Logger.getLogger(LeakDetector.class.getName());
        List<LogRecord> logged = Collections.synchronizedList(new ArrayList<>());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean useParent = jul.getUseParentHandlers();
        jul.addHandler(capture);
        jul.setUseParentHandlers(false);
        try {
            takeUntilTrackedAndDrop(pool);
            int found = collectLeaks(1);
            LeakCheckExtension.expectLeaks(found);
            assertThat(found).isEqualTo(1);
            assertThat(pool.inUseBytes()).isZero();

            assertThat(logged).hasSize(1);
            LogRecord record = logged.get(0);
            assertThat(record.getLevel()).isEqualTo(Level.SEVERE);
            assertThat(record.getThrown()).as("no stack captured at SIMPLE").isNull();
            assertThat(record.getMessage()).contains("LEAK").contains("1024 bytes").contains(pool.toString())
                    .contains("thread " + Thread.currentThread().getName())
                    .contains("-Dio.gnetj.leakDetection=paranoid");
        } finally {
            jul.removeHandler(capture);
            jul.setUseParentHandlers(useParent);
        }
    }

    /** Takes and releases until the detector tracks a take (about 128 tries), then forgets that one. */
    static void takeUntilTrackedAndDrop(BufferPool pool) {
        long tracked = pool.leakDetector().trackedCount();
        for (int i = 0; i < 100_000; i++) {
            PooledBuffer b = pool.take(1000);
            if (pool.leakDetector().trackedCount() > tracked) {
                b.buffer().put(0, (byte) 1);
                return;
            }
            pool.release(b);
        }
        throw new AssertionError("no take tracked in 100 000");
    }

    @Test
    void disabledTracksNothing() {
        BufferPool pool = BufferPool.builder().leakDetection(LeakDetector.Level.DISABLED).build();
        int live = LeakDetector.liveRecords();
        try (BufferCache cache = pool.newCache()) {
            for (int i = 0; i < 10_000; i++) {
                pool.release(pool.take(256));
                cache.release(cache.take(256));
            }
        }
        assertThat(pool.leakDetector().trackedCount()).isZero();
        assertThat(LeakDetector.liveRecords()).isEqualTo(live);
    }

    @Test
    void levelsParseIgnoringCase() {
        assertThat(LeakDetector.Level.parse("PARANOID")).isEqualTo(LeakDetector.Level.PARANOID);
        assertThat(LeakDetector.Level.parse(" sampled ")).isEqualTo(LeakDetector.Level.SAMPLED);
        assertThat(LeakDetector.Level.parse("Disabled")).isEqualTo(LeakDetector.Level.DISABLED);
        assertThat(LeakDetector.Level.parse("simple")).isEqualTo(LeakDetector.Level.SIMPLE);
        assertThatThrownBy(() -> LeakDetector.Level.parse("sometimes")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultLevelComesFromTheSystemPropertyElseSimple() {
        String saved = System.getProperty(LeakDetector.LEVEL_PROPERTY);
        try {
            System.setProperty(LeakDetector.LEVEL_PROPERTY, "disabled");
            assertThat(LeakDetector.defaultLevel()).isEqualTo(LeakDetector.Level.DISABLED);
            assertThat(BufferPool.create().leakDetector().level()).isEqualTo(LeakDetector.Level.DISABLED);
            System.setProperty(LeakDetector.LEVEL_PROPERTY, "paranoid");
            assertThat(LeakDetector.defaultLevel()).isEqualTo(LeakDetector.Level.PARANOID);
            System.setProperty(LeakDetector.LEVEL_PROPERTY, "sampled");
            assertThat(LeakDetector.defaultLevel()).isEqualTo(LeakDetector.Level.SAMPLED);
            System.setProperty(LeakDetector.LEVEL_PROPERTY, "sometimes");
            Logger jul = Logger.getLogger(LeakDetector.class.getName());
            boolean useParent = jul.getUseParentHandlers();
            jul.setUseParentHandlers(false); // the warning is expected: keep it out of the build log
            try {
                assertThat(LeakDetector.defaultLevel()).as("unknown: the default").isEqualTo(LeakDetector.Level.SIMPLE);
            } finally {
                jul.setUseParentHandlers(useParent);
            }
            System.clearProperty(LeakDetector.LEVEL_PROPERTY);
            assertThat(LeakDetector.defaultLevel()).isEqualTo(LeakDetector.Level.SIMPLE);
        } finally {
            if (saved == null) {
                System.clearProperty(LeakDetector.LEVEL_PROPERTY);
            } else {
                System.setProperty(LeakDetector.LEVEL_PROPERTY, saved);
            }
        }
    }
}
