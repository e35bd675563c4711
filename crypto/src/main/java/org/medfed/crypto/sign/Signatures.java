package org.medfed.crypto.sign;

import java.security.InvalidKeyException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.spec.NamedParameterSpec;
import java.util.Objects;

/**
 * Builds {@link Signer}s and {@link Verifier}s from the keys MedFed already has: ECDSA P-256 (the
 * consortium CA's coordinator and site keys) signs with SHA256withECDSA, and Ed25519 with Ed25519.
 * The algorithm follows from the key, so a caller cannot pair a key with the wrong algorithm.
 *
 * <p>Other key types, and EC keys on other curves, are refused: every MedFed key is one of these
 * two, so anything else is a mis-issued or mixed-up key that should fail loudly, not sign.
 */
public final class Signatures {
  private static final int P256_FIELD_BITS = 256;

  private Signatures() {}

  /**
   * A signer for an EC P-256 or Ed25519 private key.
   *
   * @throws InvalidKeyException if the key is of another type or curve, or the JVM cannot use it
   */
  public static Signer signer(PrivateKey privateKey) throws InvalidKeyException {
    Objects.requireNonNull(privateKey, "privateKey");
    return JcaSigner.create(algorithmFor(privateKey), privateKey);
  }

  /**
   * A verifier for an EC P-256 or Ed25519 public key.
   *
   * @throws InvalidKeyException if the key is of another type or curve, or the JVM cannot use it
   */
  public static Verifier verifier(PublicKey publicKey) throws InvalidKeyException {
    Objects.requireNonNull(publicKey, "publicKey");
    return JcaVerifier.create(algorithmFor(publicKey), publicKey);
  }

  /**
   * A verifier for the public key of a certificate. Only the key and its declared use are read:
   * whether the certificate chains to the consortium CA and is within its validity is the caller's
   * check (TLS or the auditor's path validation), made once rather than per signature.
   *
   * @throws InvalidKeyException if the key is of another type or curve, or the certificate's key
   *     usage does not allow digital signatures (a CA certificate, for instance)
   */
  public static Verifier verifier(X509Certificate certificate) throws InvalidKeyException {
    Objects.requireNonNull(certificate, "certificate");
    boolean[] usage = certificate.getKeyUsage();
    if (usage != null && !usage[0]) {
      throw new InvalidKeyException(
          "certificate "
              + certificate.getSubjectX500Principal().getName()
              + " does not allow digitalSignature in its key usage");
    }
    return verifier(certificate.getPublicKey());
  }

  static String algorithmFor(Key key) throws InvalidKeyException {
    if (key instanceof ECKey ec) {
      int fieldBits = ec.getParams().getCurve().getField().getFieldSize();
      if (fieldBits != P256_FIELD_BITS) {
        throw new InvalidKeyException(
            "EC key must be on curve P-256, but its field has " + fieldBits + " bits");
      }
      return "SHA256withECDSA";
    }
    if (key instanceof EdECKey ed) {
      String curve = ed.getParams().getName();
      if (!NamedParameterSpec.ED25519.getName().equalsIgnoreCase(curve)) {
        throw new InvalidKeyException("EdDSA key must be Ed25519, but is " + curve);
      }
      return "Ed25519";
    }
    throw new InvalidKeyException(
        "signing keys must be EC P-256 or Ed25519, but this key is " + key.getAlgorithm());
  }
}
