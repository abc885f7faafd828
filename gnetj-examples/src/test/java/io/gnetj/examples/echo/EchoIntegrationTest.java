package io.gnetj.examples.echo;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.examples.RunningServer;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EchoIntegrationTest {

    @Test
    void echoesEveryByteBack() throws Exception {
        try (RunningServer server = RunningServer.start(new EchoExample());
             Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            byte[] data = new byte[256 * 1024];
            new Random(42).nextBytes(data);
            byte[] back = new byte[data.length];
            // Write from another thread so neither side's socket buffers can deadlock the test.
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int off = 0; off < data.length; off += 1000) {
                        out.write(data, off, Math.min(1000, data.length - off));
                    }
                    out.flush();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            new DataInputStream(s.getInputStream()).readFully(back);
            writer.join(10_000);
            assertThat(back).isEqualTo(data);
        }
    }
}
