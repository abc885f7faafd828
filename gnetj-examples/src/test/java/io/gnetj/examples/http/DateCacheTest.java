package io.gnetj.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DateCacheTest {

    @Test
    void formatsImfFixdateWithTwoDigitDays() {
        DateCache cache = new DateCache(() -> 1704164645_000L); // 2024-01-02T03:04:05Z
        assertThat(new String(cache.get(), StandardCharsets.US_ASCII)).isEqualTo("Tue, 02 Jan 2024 03:04:05 GMT");
        assertThat(cache.get()).hasSize(DateCache.LENGTH);
    }

    @Test
    void reformatsOnlyWhenTheSecondChanges() {
        AtomicLong now = new AtomicLong(1704164645_000L);
        DateCache cache = new DateCache(now::get);
        byte[] first = cache.get();
        now.addAndGet(999);
        assertThat(cache.get()).isSameAs(first);
        now.addAndGet(1);
        byte[] second = cache.get();
        assertThat(second).isNotSameAs(first);
        assertThat(new String(second, StandardCharsets.US_ASCII)).isEqualTo("Tue, 02 Jan 2024 03:04:06 GMT");
    }

    @Test
    void agreesWithTheJdkFormatterOverFourCenturiesOfSeconds() {
        java.time.format.DateTimeFormatter imf = java.time.format.DateTimeFormatter
                .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US).withZone(java.time.ZoneOffset.UTC);
        java.util.Random random = new java.util.Random(29);
        long from = -2_208_988_800L; // 1900-01-01
        long to = 10_413_792_000L;   // 2300-01-01
        for (int i = 0; i < 20_000; i++) {
            long second = i < 4 ? new long[] {0, 951_782_400L, 4_107_542_400L, 253_402_300_799L}[i] // 1970, 2000-02-29, 2100-03-01, 9999-12-31
                    : from + (long) (random.nextDouble() * (to - from));
            String expected = imf.format(java.time.Instant.ofEpochSecond(second));
            assertThat(new String(new DateCache(() -> second * 1000).get(), StandardCharsets.US_ASCII))
                    .as("second %d", second).isEqualTo(expected);
        }
    }
}
