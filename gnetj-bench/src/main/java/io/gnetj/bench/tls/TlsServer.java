package io.gnetj.bench.tls;

import io.gnetj.Engine;
import io.gnetj.Gnet;
import io.gnetj.Options;
import io.gnetj.TlsConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * The server side of {@link TlsBench}, run in its own JVM:
 * {@code TlsServer gnetj|gnetj-inline|netty LOOPS KEYSTORE PASSWORD SUITE}. Prints
 * {@code ready PORT} once listening and serves until killed.
 *
 * <p>Both peers use the JDK's {@code SSLEngine} from the same key store, TLS 1.3 only, one cipher
 * suite, NIO. {@code gnetj} runs delegated tasks on its default off-loop pool, {@code gnetj-inline}
 * on the loop (as Netty's SslHandler does by default).
 */
public final class TlsServer {

    private TlsServer() {
    }

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int loops = Integer.parseInt(args[1]);
        Path keyStore = Path.of(args[2]);
        char[] password = args[3].toCharArray();
        String suite = args[4];
        int port;
        if (kind.startsWith("gnetj")) {
            TlsConfig.Builder tls = TlsConfig.builder().keyStore(keyStore, password).protocols("TLSv1.3").cipherSuites(suite);
            if (kind.equals("gnetj-inline")) {
                tls.delegatedTaskExecutor(Runnable::run);
            }
            Engine engine = Gnet.start(new CannedHttp.Gnetj(), "tls://127.0.0.1:0",
                    Options.builder().numEventLoops(loops).tls(tls.build()).build());
            port = ((InetSocketAddress) engine.addresses().get(0)).getPort();
        } else {
            SSLContext context = serverContext(keyStore, password);
            EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            EventLoopGroup workers = new MultiThreadIoEventLoopGroup(loops, NioIoHandler.newFactory());
            Channel listener = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            SSLEngine engine = context.createSSLEngine();
                            engine.setUseClientMode(false);
                            engine.setEnabledProtocols(new String[] {"TLSv1.3"});
                            engine.setEnabledCipherSuites(new String[] {suite});
                            ch.pipeline().addLast(new SslHandler(engine), new CannedHttp.Netty());
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            port = ((InetSocketAddress) listener.localAddress()).getPort();
        }
        System.out.println("ready " + port);
        System.out.flush();
        Thread.currentThread().join();
    }

    static SSLContext serverContext(Path keyStore, char[] password) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }
}
