package org.medfed.crypto.pki;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;

/** P-256 key generation and the key/certificate pairing check. */
final class KeyPairs {
  static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
  private static final int P256_FIELD_BITS = 256;

  private KeyPairs() {}

  /**
   * Keys come from the JDK's provider, not BouncyCastle, so that JSSE and gRPC can use them for TLS
   * without a provider installed globally.
   */
  static KeyPair generateP256(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot generate P-256 keys", e);
    }
  }

  static boolean isP256(PrivateKey key) {
    return key instanceof ECPrivateKey ec
        && ec.getParams().getCurve().getField().getFieldSize() == P256_FIELD_BITS;
  }

  /**
   * Proves possession by signing and verifying a fixed message: comparing encodings would need
   * per-algorithm code, and this catches every mismatch.
   */
  static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
    if (!(privateKey instanceof ECPrivateKey)) {
      return false;
    }
    byte[] message = "medfed key pairing check".getBytes(StandardCharsets.UTF_8);
    try {
      Signature signer = Signature.getInstance(SIGNATURE_ALGORITHM);
      signer.initSign(privateKey);
      signer.update(message);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(SIGNATURE_ALGORITHM);
      verifier.initVerify(publicKey);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
