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

    exports io.gnetj;
    exports io.gnetj.pool;
    exports io.gnetj.codec;
    exports io.gnetj.codec.websocket;
}
