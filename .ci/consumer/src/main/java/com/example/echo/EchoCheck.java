package com.example.echo;

import io.gnetj.Engine;
import io.gnetj.Gnet;
import io.gnetj.Options;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Starts an engine on 127.0.0.1, port 0, echoes one message through it with a plain socket, stops
 * it. The argument says how gnetj must have been loaded, {@code class-path} or
 * {@code module-path}, so that a launch that silently fell back to the other fails.
 */
public final class EchoCheck {

    public static void main(String[] args) throws Exception {
        String expected = args.length == 1 ? args[0] : "";
        Module core = Gnet.class.getModule();
        String loaded = core.isNamed() ? "module-path" : "class-path";
        if (!loaded.equals(expected)) {
            throw new AssertionError("gnetj was loaded from the " + loaded + ", expected " + expected);
        }
        if (core.isNamed()) {
            if (!core.getName().equals("io.gnetj.core") || !EchoCheck.class.getModule().isNamed()) {
                throw new AssertionError("modules: gnetj " + core + ", this class " + EchoCheck.class.getModule());
            }
            if (core.isExported("io.gnetj.internal")) {
                throw new AssertionError("io.gnetj.core exports io.gnetj.internal");
            }
        }

        byte[] message = "hello from a consumer\n".getBytes(StandardCharsets.US_ASCII);
        Engine engine = Gnet.start(new EchoHandler(), "tcp://127.0.0.1:0", Options.builder().build());
        InetSocketAddress address = (InetSocketAddress) engine.addresses().get(0);
        try (Socket socket = new Socket()) {
            socket.connect(address, 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(message);
            InputStream in = socket.getInputStream();
            byte[] echoed = in.readNBytes(message.length);
            if (!Arrays.equals(message, echoed)) {
                throw new AssertionError("sent " + Arrays.toString(message) + ", got " + Arrays.toString(echoed));
            }
        } finally {
            engine.stop();
        }
        if (engine.isRunning()) {
            throw new AssertionError("engine still running after stop()");
        }
        System.out.println("consumer check (" + loaded + "): echoed " + message.length + " bytes through "
                + address + " and stopped the engine");
    }
}
