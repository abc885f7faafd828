package io.gnetj.bench.tls;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.EventHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The same minimal HTTP/1.1 responder for both servers: one canned response per request head
 * (each {@code \r\n\r\n}), so the benchmark measures TLS and the transport, not an HTTP parser.
 */
final class CannedHttp {

    static final byte[] REQUEST = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
            + "Hello, World!").getBytes(StandardCharsets.US_ASCII);

    private CannedHttp() {
    }

    /** Advances the {@code \r\n\r\n} matcher over one byte; returns the new state (4 = a head ended). */
    static int step(int state, byte b) {
        if (b == '\r') {
            return state == 2 ? 3 : 1;
        }
        if (b == '\n') {
            return state == 1 ? 2 : state == 3 ? 4 : 0;
        }
        return 0;
    }

    /** gnetj's responder; the matcher state lives in the connection's context. */
    static final class Gnetj implements EventHandler {
        private final ByteBuffer response = ByteBuffer.allocateDirect(RESPONSE.length).put(RESPONSE).flip();

        @Override
        public Action onOpen(Conn conn) {
            conn.context(new int[1]);
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            int[] state = conn.context();
            ByteBuffer in = conn.next(-1);
            int s = state[0];
            for (int i = in.position(); i < in.limit(); i++) {
                s = step(s, in.get(i));
                if (s == 4) {
                    conn.write(response.duplicate());
                    s = 0;
                }
            }
            state[0] = s;
            return Action.NONE;
        }
    }

    /** Netty's responder: writes in channelRead, flushes once per read batch. */
    static final class Netty extends ChannelInboundHandlerAdapter {
        private static final ByteBuf SHARED = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer(RESPONSE.length).writeBytes(RESPONSE)).asReadOnly();
        private int state;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                int s = state;
                for (int i = in.readerIndex(); i < in.writerIndex(); i++) {
                    s = step(s, in.getByte(i));
                    if (s == 4) {
                        ctx.write(SHARED.duplicate());
                        s = 0;
                    }
                }
                state = s;
            } finally {
                in.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
