package org.medfed.crypto.merkle;

import java.math.BigInteger;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;
import org.medfed.crypto.sign.Signatures;
import org.medfed.crypto.sign.Verifier;

/**
 * A {@link Verifier} for one key that checks many signatures: the log operator's key over the
 * checkpoints of a log (an auditor checks one per signed tree head, thousands per log), or a site's
 * key over every message of that site the log records. It answers exactly as {@link
 * Signatures#verifier(X509Certificate)} does, several times faster for ECDSA P-256.
 *
 * <p>The JDK's SHA256withECDSA computes u₁·G + u₂·Q from scratch for every signature. Here the
 * key's point Q is decoded once, and Bouncy Castle's ECDSA (specialised P-256 field arithmetic,
 * tables of precomputed multiples cached on G and on Q once a point has been used a few times)
 * reuses those tables for every signature. Only a signature it accepts is answered from it: it must
 * be in strict DER (the only encoding the JDK produces), with 1 ≤ r, s < n, and satisfy the ECDSA
 * equation, and then the JDK accepts it too. Everything else, whether malformed or simply wrong, is
 * passed to the JDK verifier, whose answer is final, so the result never differs from the JDK's;
 * only a valid signature is faster.
 *
 * <p>Keys other than P-256 (Ed25519) get the JDK verifier itself. Thread-safe.
 */
public final class LogKeyVerifier implements Verifier {
  private static final String CURVE = "secp256r1";
  private static final int MAX_SCALAR_BYTES = 33;

  private final Verifier reference;
  private final ECPublicKeyParameters key;

  private LogKeyVerifier(Verifier reference, ECPublicKeyParameters key) {
    this.reference = reference;
    this.key = key;
  }

  /**
   * A verifier for the public key of {@code certificate}, accepting exactly what {@link
   * Signatures#verifier(X509Certificate)} accepts.
   *
   * @throws InvalidKeyException as {@link Signatures#verifier(X509Certificate)}
   */
  public static Verifier forCertificate(X509Certificate certificate) throws InvalidKeyException {
    Verifier reference = Signatures.verifier(certificate);
    return p256(certificate.getPublicKey())
        .<Verifier>map(key -> new LogKeyVerifier(reference, key))
        .orElse(reference);
  }

  @Override
  public boolean verify(byte[] signature, byte[] message) {
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(message, "message");
    BigInteger[] rs = strictDer(signature);
    if (rs != null) {
      ECDSASigner ecdsa = new ECDSASigner();
      ecdsa.init(false, key);
      if (ecdsa.verifySignature(sha256(message), rs[0], rs[1])) {
        return true;
      }
    }
    return reference.verify(signature, message);
  }

  @Override
  public String toString() {
    return "LogKeyVerifier[SHA256withECDSA P-256]";
  }

  /** The key as a Bouncy Castle P-256 point, if it is a valid point of exactly that curve. */
  private static Optional<ECPublicKeyParameters> p256(PublicKey publicKey) {
    if (!(publicKey instanceof ECPublicKey ec)) {
      return Optional.empty();
    }
    X9ECParameters curve = CustomNamedCurves.getByName(CURVE);
    ECParameterSpec spec = ec.getParams();
    ECPoint g = curve.getG().normalize();
    boolean isP256 =
        spec.getCurve().getField() instanceof ECFieldFp field
            && field.getP().equals(curve.getCurve().getField().getCharacteristic())
            && spec.getCurve().getA().equals(curve.getCurve().getA().toBigInteger())
            && spec.getCurve().getB().equals(curve.getCurve().getB().toBigInteger())
            && spec.getGenerator().getAffineX().equals(g.getAffineXCoord().toBigInteger())
            && spec.getGenerator().getAffineY().equals(g.getAffineYCoord().toBigInteger())
            && spec.getOrder().equals(curve.getN())
            && BigInteger.valueOf(spec.getCofactor()).equals(curve.getH());
    if (!isP256) {
      return Optional.empty();
    }
    try {
      ECDomainParameters domain =
          new ECDomainParameters(curve.getCurve(), curve.getG(), curve.getN(), curve.getH());
      ECPoint q = curve.getCurve().createPoint(ec.getW().getAffineX(), ec.getW().getAffineY());
      // Validates the point (on the curve, not infinity).
      return Optional.of(new ECPublicKeyParameters(q, domain));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * r and s of a signature in strict DER, SEQUENCE { INTEGER r, INTEGER s }: definite short
   * lengths, minimal positive integers, nothing after; {@code null} for anything else.
   */
  private static BigInteger[] strictDer(byte[] signature) {
    if (signature.length < 8 || signature[0] != 0x30 || signature[1] != signature.length - 2) {
      return null;
    }
    BigInteger r = integer(signature, 2);
    if (r == null) {
      return null;
    }
    int next = 4 + signature[3];
    BigInteger s = integer(signature, next);
    if (s == null || next + 2 + signature[next + 1] != signature.length) {
      return null;
    }
    return new BigInteger[] {r, s};
  }

  /** The minimal positive DER INTEGER at {@code at}, or {@code null}. */
  private static BigInteger integer(byte[] der, int at) {
    if (at + 2 > der.length || der[at] != 0x02) {
      return null;
    }
    int length = der[at + 1];
    int from = at + 2;
    if (length < 1 || length > MAX_SCALAR_BYTES || from + length > der.length) {
      return null;
    }
    if (der[from] < 0 || (length > 1 && der[from] == 0 && der[from + 1] >= 0)) {
      return null; // negative, or a redundant leading zero
    }
    return new BigInteger(1, Arrays.copyOfRange(der, from, from + length));
  }

  private static byte[] sha256(byte[] message) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(message);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
