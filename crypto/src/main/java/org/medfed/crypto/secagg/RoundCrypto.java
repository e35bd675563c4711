package org.medfed.crypto.secagg;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KDF;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.HKDFParameterSpec;
import org.bouncycastle.crypto.agreement.X25519Agreement;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;

/**
 * The round's primitives: X25519 (BouncyCastle, used as a plain class, no provider installed), HKDF
 * and AES-GCM from the JDK's providers. Every derived key is bound by HKDF's info to its purpose,
 * the round and the two site ids in canonical (sorted) order.
 */
final class RoundCrypto {
  static final int KEY_BYTES = 32;
  static final int NONCE_BYTES = 12;
  static final int TAG_BYTES = 16;
  private static final byte[] SALT = bytes("medfed-secagg-v1 salt");
  private static final String PROTOCOL = "medfed-secagg-v1";

  /** What a derived key is for; part of HKDF's info so keys for different uses never collide. */
  enum Purpose {
    SHARE_ENCRYPTION,
    PAIRWISE_MASK,
    SELF_MASK,
    ROUNDING,
    GRAPH
  }

  private RoundCrypto() {}

  static X25519PrivateKeyParameters generateKey(SecureRandom random) {
    return new X25519PrivateKeyParameters(random);
  }

  static byte[] publicKey(X25519PrivateKeyParameters key) {
    return key.generatePublicKey().getEncoded();
  }

  /**
   * X25519 with the peer's 32-byte public key.
   *
   * @throws SecAggException if the result is all zeros (a low-order peer key contributes nothing)
   */
  static byte[] agree(X25519PrivateKeyParameters own, byte[] peerPublic) throws SecAggException {
    if (peerPublic.length != KEY_BYTES) {
      throw new SecAggException(
          SecAggException.Reason.WRONG_LENGTH,
          "an X25519 public key is " + KEY_BYTES + " bytes, got " + peerPublic.length);
    }
    X25519Agreement agreement = new X25519Agreement();
    agreement.init(own);
    byte[] shared = new byte[agreement.getAgreementSize()];
    try {
      agreement.calculateAgreement(new X25519PublicKeyParameters(peerPublic, 0), shared, 0);
    } catch (IllegalStateException e) {
      // BouncyCastle refuses an all-zero result itself; the check below is belt and braces.
      throw lowOrder();
    }
    if (MessageDigest.isEqual(shared, new byte[shared.length])) {
      throw lowOrder();
    }
    return shared;
  }

  private static SecAggException lowOrder() {
    return new SecAggException(
        SecAggException.Reason.INCONSISTENT, "X25519 public key has low order");
  }

  /**
   * HKDF-SHA256 to a full 256-bit AES key. The two site ids are put in sorted order so both ends
   * derive the same key; {@code siteB} may be equal to {@code siteA} for per-site keys.
   */
  static SecretKey deriveKey(
      byte[] inputKeyMaterial, Purpose purpose, long round, String siteA, String siteB) {
    String low = siteA.compareTo(siteB) <= 0 ? siteA : siteB;
    String high = siteA.compareTo(siteB) <= 0 ? siteB : siteA;
    byte[] info =
        encode(bytes(PROTOCOL), bytes(purpose.name()), longBytes(round), bytes(low), bytes(high));
    try {
      KDF hkdf = KDF.getInstance("HKDF-SHA256");
      return hkdf.deriveKey(
          "AES",
          HKDFParameterSpec.ofExtract()
              .addIKM(inputKeyMaterial)
              .addSalt(SALT)
              .thenExpand(info, KEY_BYTES));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM lacks HKDF-SHA256", e);
    }
  }

  /** AES-256-GCM with a random 96-bit nonce; output is nonce || ciphertext || tag. */
  static byte[] seal(SecretKey key, byte[] plaintext, byte[] associatedData, SecureRandom random) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
      cipher.updateAAD(associatedData);
      byte[] sealed = cipher.doFinal(plaintext);
      byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM lacks AES-GCM", e);
    }
  }

  /** Opens what {@link #seal} made; any failure says only that it did not decrypt. */
  static byte[] open(SecretKey key, byte[] sealed, byte[] associatedData) throws SecAggException {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, sealed, 0, NONCE_BYTES));
      cipher.updateAAD(associatedData);
      return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw new SecAggException(
          SecAggException.Reason.DECRYPTION_FAILED, "encrypted share does not decrypt");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM lacks AES-GCM", e);
    }
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] longBytes(long value) {
    byte[] out = new byte[8];
    for (int i = 7; i >= 0; i--) {
      out[i] = (byte) value;
      value >>>= 8;
    }
    return out;
  }

  /** Unambiguous concatenation: each field is prefixed by its 4-byte big-endian length. */
  static byte[] encode(byte[]... fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] field : fields) {
      int length = field.length;
      out.write(length >>> 24);
      out.write(length >>> 16);
      out.write(length >>> 8);
      out.write(length);
      out.writeBytes(field);
    }
    return out.toByteArray();
  }
}
