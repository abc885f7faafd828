/**
 * An engine's metrics for monitoring systems: Micrometer meters for engines, clients and worker
 * pools ({@link io.gnetj.metrics.GnetjMetrics}, which needs {@code io.micrometer:micrometer-core}
 * on the path; gnetj-core itself does not), and a JMX MXBean registered when asked
 * ({@link io.gnetj.metrics.EngineJmx}). See docs/observability.md.
 */
package io.gnetj.metrics;
