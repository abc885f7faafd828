package io.gnetj.examples.tls;

import io.gnetj.TlsConfig;
import io.gnetj.examples.Flag;
import io.gnetj.examples.Flags;
import io.gnetj.examples.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code --tls} flags a server example takes when it can serve TLS: a PEM certificate chain
 * and key, or a PKCS#12 key store, or neither (a self-signed certificate for localhost is made and
 * its PEM path printed, for {@code curl --cacert}).
 */
public final class TlsFlags {

    /** Serve {@code tls://} instead of {@code tcp://}. */
    public static final Flag TLS = Flag.bool("tls", "serve TLS; without --cert/--keystore a self-signed"
            + " certificate for localhost is made and its PEM path printed (for curl --cacert)");
    /** PEM certificate chain. */
    public static final Flag CERT = Flag.optional("cert", "PEM", "--tls certificate chain (PEM), with --key");
    /** PKCS#8 PEM private key. */
    public static final Flag KEY = Flag.optional("key", "PEM", "--tls private key (unencrypted PKCS#8 PEM), with --cert");
    /** PKCS#12 key store. */
    public static final Flag KEYSTORE = Flag.optional("keystore", "P12", "--tls key store (PKCS#12), with --password");
    /** The key store's password. */
    public static final Flag PASSWORD = Flag.optional("password", "PASS", "password of --keystore");

    /** Every TLS flag, in the order --help lists them. */
    public static final List<Flag> ALL = List.of(TLS, CERT, KEY, KEYSTORE, PASSWORD);

    private TlsFlags() {
    }

    /**
     * Whether {@code --tls} was given.
     *
     * @throws UsageException if a key flag was given without {@code --tls}
     */
    public static boolean enabled(Flags flags) {
        boolean on = flags.getBoolean(TLS.name());
        if (!on && (!flags.getString(CERT.name()).isEmpty() || !flags.getString(KEYSTORE.name()).isEmpty()
                || !flags.getString(KEY.name()).isEmpty())) {
            throw new UsageException("--cert, --key and --keystore need --tls");
        }
        return on;
    }

    /**
     * The key material the flags name, in a config builder; a self-signed certificate if they name
     * none, whose PEM path is then printed to {@code out} (if not {@code null}).
     *
     * @throws UsageException if the flags contradict each other
     */
    public static TlsConfig.Builder builder(Flags flags, PrintStream out) throws IOException {
        String cert = flags.getString(CERT.name());
        String key = flags.getString(KEY.name());
        String keyStore = flags.getString(KEYSTORE.name());
        String password = flags.getString(PASSWORD.name());
        if (cert.isEmpty() != key.isEmpty()) {
            throw new UsageException("--cert and --key go together");
        }
        if (!cert.isEmpty() && !keyStore.isEmpty()) {
            throw new UsageException("give --cert/--key or --keystore, not both");
        }
        if (!keyStore.isEmpty()) {
            return TlsConfig.builder().keyStore(Path.of(keyStore), password.toCharArray());
        }
        if (!cert.isEmpty()) {
            return TlsConfig.builder().pem(Path.of(cert), Path.of(key));
        }
        SelfSignedCertificate self = SelfSignedCertificate.localhost();
        if (out != null) {
            out.println("TLS certificate: self-signed for localhost, 127.0.0.1 and ::1, in " + self.certificatePem()
                    + " (trust it with curl --cacert " + self.certificatePem() + ")");
        }
        return TlsConfig.builder().keyStore(self.keyStore(), self.password());
    }
}
