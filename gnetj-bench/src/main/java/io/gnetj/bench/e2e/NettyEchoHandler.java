package io.gnetj.bench.e2e;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** Netty's echo peer: writes each inbound buffer back, flushes once per read batch. */
@ChannelHandler.Sharable
final class NettyEchoHandler extends ChannelInboundHandlerAdapter {

    static final NettyEchoHandler INSTANCE = new NettyEchoHandler();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.write(msg, ctx.voidPromise());
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
