package io.gnetj.bench.e2e;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ByteProcessor;

/**
 * Netty's side of the stripped pair: scans inbound bytes for {@code \r\n\r\n} with a
 * {@link ByteProcessor} (the match state carries over between reads, so nothing is accumulated)
 * and answers each request with {@link CannedResponse}, copied into one buffer per read, flushed
 * once per read batch.
 *
 * <p>Threading: one instance per channel (it holds the match state).
 */
final class NettyStrippedHandler extends ChannelInboundHandlerAdapter implements ByteProcessor {

    private int state; // bytes of "\r\n\r\n" matched so far
    private int requests; // complete requests seen in the buffer being scanned

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            requests = 0;
            in.forEachByte(this);
            if (requests > 0) {
                byte[] response = CannedResponse.BYTES;
                ByteBuf out = ctx.alloc().ioBuffer(requests * response.length);
                for (int i = 0; i < requests; i++) {
                    out.writeBytes(response);
                }
                ctx.write(out, ctx.voidPromise());
            }
        } finally {
            in.release();
        }
    }

    @Override
    public boolean process(byte b) {
        if (b == '\r') {
            state = state == 2 ? 3 : 1;
        } else if (b == '\n' && state == 1) {
            state = 2;
        } else if (b == '\n' && state == 3) {
            requests++;
            state = 0;
        } else {
            state = 0;
        }
        return true;
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
