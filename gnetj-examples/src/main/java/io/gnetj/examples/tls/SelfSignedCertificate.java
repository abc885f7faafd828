package io.gnetj.examples.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1}, made with
 * the running JDK's {@code keytool} into a temporary directory that is deleted when the JVM exits:
 * for trying the examples' {@code --tls} without a certificate of your own. Made once per JVM.
 *
 * <p>Not for production: anyone can make one, so only clients told to trust exactly this
 * certificate ({@code curl --cacert PATH}) accept it.
 *
 * @param keyStore       PKCS#12 key store with the key and certificate
 * @param password       the key store's password
 * @param certificatePem the certificate as PEM, for clients to trust
 */
public record SelfSignedCertificate(Path keyStore, char[] password, Path certificatePem) {

    private static SelfSignedCertificate localhost;

    /** The JVM's certificate for localhost, made on first call (about a second). */
    public static synchronized SelfSignedCertificate localhost() throws IOException {
        if (localhost == null) {
            localhost = generate("localhost", "dns:localhost,ip:127.0.0.1,ip:::1");
        }
        return localhost;
    }

    private static SelfSignedCertificate generate(String cn, String san) throws IOException {
        Path dir = Files.createTempDirectory("gnetj-tls-");
        Path store = dir.resolve(cn + ".p12");
        Path pem = dir.resolve(cn + ".pem");
        String password = Long.toHexString(Double.doubleToLongBits(Math.random())) + Long.toHexString(System.nanoTime());
        keytool("-genkeypair", "-alias", cn, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + cn,
                "-ext", "SAN=" + san, "-validity", "30", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", password, "-keypass", password);
        keytool("-exportcert", "-rfc", "-alias", cn, "-keystore", store.toString(), "-storepass", password,
                "-file", pem.toString());
        for (Path p : List.of(dir, store, pem)) {
            p.toFile().deleteOnExit(); // registered directory first: deleted last
        }
        return new SelfSignedCertificate(store, password.toCharArray(), pem);
    }

    private static void keytool(String... args) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) {
            throw new IOException("cannot make a self-signed certificate: no keytool at " + keytool
                    + " (a JRE without tools?); give --cert/--key or --keystore/--password");
        }
        List<String> command = new ArrayList<>();
        command.add(keytool.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8).trim());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        }
    }
}
