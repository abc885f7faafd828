/**
 * gnetj-buffer: pooled direct {@link java.nio.ByteBuffer}s and the elastic buffers built on them.
 *
 * <p>Everything here is usable on its own; gnetj-core uses it for every connection's inbound and
 * outbound data.
 */
module io.gnetj.buffer {
    requires org.jctools.core;
    // JFR is optional: without it in the runtime the leak event is simply not emitted.
    requires static jdk.jfr;

    exports io.gnetj.buffer;
    // JFR reads the event class's fields; no one else needs it.
    exports io.gnetj.buffer.internal.jfr to jdk.jfr;
}
