/**
 * gnetj-core: the event-driven multi-reactor engine.
 *
 * <p>{@code io.gnetj} is the API; {@code io.gnetj.internal} is not exported.
 */
module io.gnetj.core {
    requires transitive io.gnetj.buffer;
    requires org.jctools.core;
    requires java.management;
    requires jdk.management;
    requires jdk.net;
    // Optional at run time: JFR events load only where jdk.jfr is present (internal.Jfr), the
    // Micrometer binder only where micrometer-core is on the path (docs/observability.md).
    requires static jdk.jfr;
    requires static micrometer.core;

    exports io.gnetj;
    exports io.gnetj.pool;
    exports io.gnetj.codec;
    exports io.gnetj.codec.websocket;
    exports io.gnetj.metrics;
    // JFR reads the event classes' fields; no one else needs them.
    exports io.gnetj.internal.jfr to jdk.jfr;
}
