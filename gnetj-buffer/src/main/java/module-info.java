/**
 * gnetj-buffer: pooled direct {@link java.nio.ByteBuffer}s and the elastic buffers built on them.
 *
 * <p>Everything here is usable on its own; gnetj-core uses it for every connection's inbound and
 * outbound data.
 */
module io.gnetj.buffer {
    requires org.jctools.core;

    exports io.gnetj.buffer;
}
