package org.medfed.coordinator.revocation;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.medfed.crypto.pki.CertificateCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's TLS trust decision for client certificates: the {@link CertificateGate} first
 * (consortium CA, validity, MedFed name, revocation), so that a refused handshake is logged with
 * the certificate's serial and subject and the precise reason, then the JDK's PKIX checks (key
 * usage, extended key usage) as a second opinion. The coordinator never checks a server.
 */
public final class ConsortiumTrustManager extends X509ExtendedTrustManager {
  private static final Logger log = LoggerFactory.getLogger(ConsortiumTrustManager.class);

  private final CertificateGate gate;
  private final X509ExtendedTrustManager pkix;

  public ConsortiumTrustManager(CertificateGate gate) throws IOException {
    this.gate = gate;
    this.pkix = pkix(gate.ca());
  }

  private static X509ExtendedTrustManager pkix(X509Certificate ca) throws IOException {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("consortium-ca", ca);
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager extended) {
          return extended;
        }
      }
      throw new IOException("the JDK offers no X509ExtendedTrustManager");
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up the trust manager for the consortium CA", e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, authType);
    pkixCheck(chain, () -> pkix.checkClientTrusted(chain, authType, engine));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, authType);
    pkixCheck(chain, () -> pkix.checkClientTrusted(chain, authType, socket));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain, authType);
    pkixCheck(chain, () -> pkix.checkClientTrusted(chain, authType));
  }

  private void check(X509Certificate[] chain, String authType) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw refuse(null, "the client presented an empty certificate chain");
    }
    try {
      gate.checkHandshake(chain[0]);
    } catch (CertificateRefusal e) {
      throw refuse(chain[0], e.getMessage());
    }
  }

  private interface PkixCheck {
    void run() throws CertificateException;
  }

  private static void pkixCheck(X509Certificate[] chain, PkixCheck check)
      throws CertificateException {
    try {
      check.run();
    } catch (CertificateException e) {
      throw refuse(
          chain[0],
          CertificateCheck.describe(chain[0])
              + " fails the PKIX checks for a TLS client: "
              + e.getMessage());
    }
  }

  private static CertificateException refuse(X509Certificate certificate, String reason) {
    var event = log.atWarn().setMessage("TLS handshake refused").addKeyValue("reason", reason);
    if (certificate != null) {
      event =
          event
              .addKeyValue("certificateSerial", certificate.getSerialNumber().toString(16))
              .addKeyValue("subject", certificate.getSubjectX500Principal().getName())
              .addKeyValue("issuer", certificate.getIssuerX500Principal().getName());
    }
    event.log();
    return new CertificateException(reason);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("the coordinator does not connect to servers");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("the coordinator does not connect to servers");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("the coordinator does not connect to servers");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[] {gate.ca()};
  }
}
