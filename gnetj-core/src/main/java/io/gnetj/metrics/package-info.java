/**
 * Micrometer meters for gnetj engines, clients and worker pools ({@link io.gnetj.metrics.GnetjMetrics}).
 * Needs {@code io.micrometer:micrometer-core} on the path; gnetj-core itself does not.
 */
package io.gnetj.metrics;
