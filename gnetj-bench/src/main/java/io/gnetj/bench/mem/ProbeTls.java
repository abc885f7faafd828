package io.gnetj.bench.mem;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The probe's TLS client context: it trusts any certificate. The server under test is a child
 * the probe itself started on loopback with a self-signed certificate made a moment earlier, so
 * there is nothing to verify, and what is measured is the server's memory, not the check.
 * Never use this context for anything else.
 */
final class ProbeTls {

    private ProbeTls() {
    }

    static SSLContext trustingAnything() throws GeneralSecurityException {
        X509TrustManager anything = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                // the probe is the client; never asked
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // the probe's own child on loopback: see the class comment
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {anything}, new SecureRandom());
        return context;
    }
}
