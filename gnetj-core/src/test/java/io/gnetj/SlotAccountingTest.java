package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;

/**
 * A connection's slot (the engine's count, its loop's load, its table entry) is given back
 * exactly once, however its setup fails: here a TLS engine that throws an unchecked exception as
 * the handshake begins, after the connection was registered. (The connection used to be left in
 * the loop's table and released twice, once at once and once when its handshake timed out, so
 * the engine's count went negative.)
 */
class SlotAccountingTest {

    @Test
    void aConnectionWhoseSetUpThrowsAfterRegistrationIsCountedOutOnce() throws Exception {
        TlsConfig tls = TlsConfig.builder().sslContext(new ThrowingContext())
                .handshakeTimeout(Duration.ofMillis(200)).build();
        Engine engine = Gnet.start(new EventHandler() { }, "tls://127.0.0.1:0",
                Options.builder().numEventLoops(1).tls(tls).closeTimeout(Duration.ofMillis(200)).build());
        try {
            for (int i = 0; i < 3; i++) {
                try (Socket socket = TestServers.connect(engine.addresses().get(0))) {
                    assertThat(socket.getInputStream().read()).as("the server closes the connection").isEqualTo(-1);
                } catch (java.net.SocketException reset) {
                    // closed with our hello unread: a reset is as good
                }
            }
            TestServers.await("no connection counted", () -> engine.countConnections() == 0);
            // Several handshake timeouts later, nothing was released a second time.
            Thread.sleep(600);
            assertThat(engine.countConnections()).as("connections counted after the failed set-ups").isZero();
        } finally {
            engine.stop();
        }
        assertThat(engine.countConnections()).isZero();
    }

    /** An SSL context whose engines throw as the handshake begins. */
    private static final class ThrowingContext extends SSLContext {
        ThrowingContext() {
            super(new SSLContextSpi() {
                @Override
                protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
                }

                @Override
                protected SSLSocketFactory engineGetSocketFactory() {
                    throw new UnsupportedOperationException();
                }

                @Override
                protected SSLServerSocketFactory engineGetServerSocketFactory() {
                    throw new UnsupportedOperationException();
                }

                @Override
                protected SSLEngine engineCreateSSLEngine() {
                    return new ThrowingEngine();
                }

                @Override
                protected SSLEngine engineCreateSSLEngine(String host, int port) {
                    return new ThrowingEngine();
                }

                @Override
                protected SSLSessionContext engineGetServerSessionContext() {
                    return null;
                }

                @Override
                protected SSLSessionContext engineGetClientSessionContext() {
                    return null;
                }
            }, null, "TLS");
        }
    }

    /** Enough of an engine to be set up; {@link #beginHandshake()} throws. */
    private static final class ThrowingEngine extends SSLEngine {
        private final SSLSession session;
        private String[] protocols = {"TLSv1.3", "TLSv1.2"};
        private String[] suites = {};
        private boolean client;

        ThrowingEngine() {
            try {
                SSLContext real = SSLContext.getInstance("TLS");
                real.init(null, null, null);
                session = real.createSSLEngine().getSession();
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void beginHandshake() {
            throw new IllegalStateException("injected: the TLS engine fails as the handshake begins");
        }

        @Override
        public SSLEngineResult wrap(ByteBuffer[] srcs, int off, int len, ByteBuffer dst) throws SSLException {
            throw new SSLException("not used");
        }

        @Override
        public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int off, int len) throws SSLException {
            throw new SSLException("not used");
        }

        @Override public Runnable getDelegatedTask() { return null; }
        @Override public void closeInbound() { }
        @Override public boolean isInboundDone() { return false; }
        @Override public void closeOutbound() { }
        @Override public boolean isOutboundDone() { return false; }
        @Override public String[] getSupportedCipherSuites() { return suites; }
        @Override public String[] getEnabledCipherSuites() { return suites; }
        @Override public void setEnabledCipherSuites(String[] s) { suites = s; }
        @Override public String[] getSupportedProtocols() { return protocols; }
        @Override public String[] getEnabledProtocols() { return protocols; }
        @Override public void setEnabledProtocols(String[] p) { protocols = p; }
        @Override public SSLSession getSession() { return session; }
        @Override public SSLEngineResult.HandshakeStatus getHandshakeStatus() { return SSLEngineResult.HandshakeStatus.NEED_UNWRAP; }
        @Override public void setUseClientMode(boolean mode) { client = mode; }
        @Override public boolean getUseClientMode() { return client; }
        @Override public void setNeedClientAuth(boolean need) { }
        @Override public boolean getNeedClientAuth() { return false; }
        @Override public void setWantClientAuth(boolean want) { }
        @Override public boolean getWantClientAuth() { return false; }
        @Override public void setEnableSessionCreation(boolean flag) { }
        @Override public boolean getEnableSessionCreation() { return true; }
    }
}
