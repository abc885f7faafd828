package io.gnetj.bench.e2e;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The Netty peers, set up as a Netty user who cares about speed would on Netty 4.2: the
 * {@code IoHandler} event loops (NIO, or native epoll as the second reference), one acceptor
 * thread and {@code loops} child loops, {@code TCP_NODELAY} and a backlog of 1024 as gnetj's
 * defaults, the default (adaptive, pooled direct) allocator, and every handler writing in
 * {@code channelRead} and flushing once per read batch in {@code channelReadComplete}.
 *
 * <p>The HTTP pipeline is {@link HttpServerCodec} with header validation off (the responses are
 * built from constants) followed by {@link NettyHttpHandler}.
 */
final class NettyServer {

    private NettyServer() {
    }

    static ServerMain.Running start(boolean epoll, String workload, int port, int loops, String loopPrefix)
            throws Exception {
        if (epoll && !Epoll.isAvailable()) {
            throw new ServerMain.Unavailable("Netty native epoll is not available here: " + Epoll.unavailabilityCause());
        }
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("netty-accept"), io);
        // DefaultThreadFactory names its threads "<prefix>-<pool>-<n>": the prefix ServerMain sums over.
        String poolName = loopPrefix.endsWith("-") ? loopPrefix.substring(0, loopPrefix.length() - 1) : loopPrefix;
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(loops, new DefaultThreadFactory(poolName), io);

        ChannelHandler initializer = new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                switch (workload) {
                    case "echo":
                        ch.pipeline().addLast(NettyEchoHandler.INSTANCE);
                        break;
                    case "http":
                        HttpDecoderConfig config = new HttpDecoderConfig()
                                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(false))
                                .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory().withValidation(false));
                        ch.pipeline().addLast(new HttpServerCodec(config), NettyHttpHandler.INSTANCE);
                        break;
                    case "stripped":
                        ch.pipeline().addLast(new NettyStrippedHandler());
                        break;
                    default:
                        throw new IllegalArgumentException("unknown workload " + workload);
                }
            }
        };
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(channel)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer);
        Channel server = bootstrap.bind("127.0.0.1", port).sync().channel();
        return () -> {
            server.close().syncUninterruptibly();
            acceptor.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        };
    }
}
