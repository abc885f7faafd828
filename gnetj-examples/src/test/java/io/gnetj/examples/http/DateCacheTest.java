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
}
