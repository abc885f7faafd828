package io.gnetj.examples.metrics;

import io.gnetj.Engine;
import io.gnetj.metrics.GnetjMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;

/**
 * An engine's meters ({@link GnetjMetrics}) in a Micrometer Prometheus registry, rendered in the
 * Prometheus text format on request. What {@code --metrics-port} and the http example's
 * {@code GET /metrics} serve.
 *
 * <p>A scrape renders every meter into a new string: it allocates, so it runs on the metrics
 * endpoint's own engine (or, for the http example, on the one request that asks for it), never
 * per request of the served protocol.
 *
 * <p>Threading: any thread.
 */
public final class PrometheusMetrics {

    /** The content type of {@link #scrape()}: Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private PrometheusMetrics(Engine engine, String server) {
        new GnetjMetrics(engine, Tags.of("server", server)).bindTo(registry);
    }

    /** A registry with {@code engine}'s meters, tagged {@code server=name}. Any thread. */
    public static PrometheusMetrics of(Engine engine, String name) {
        return new PrometheusMetrics(engine, name);
    }

    /** Every meter in the Prometheus text format. Any thread. */
    public String scrape() {
        return registry.scrape();
    }

    /** {@link #scrape()} as UTF-8 bytes. Any thread. */
    public byte[] scrapeBytes() {
        return scrape().getBytes(StandardCharsets.UTF_8);
    }
}
