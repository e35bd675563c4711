package org.medfed.crypto.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * RFC 9162 §2.1.1 hashing with one reusable SHA-256 digest. Not thread-safe: each tree or
 * verification owns its own instance, which saves a provider lookup per hash on the hot paths.
 */
final class Hasher {
  static final int HASH_SIZE = 32;
  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  private final MessageDigest sha256;

  Hasher() {
    try {
      // The JDK's SHA-256 uses CPU intrinsics and is several times faster than BouncyCastle's.
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }

  byte[] emptyRoot() {
    return sha256.digest();
  }

  byte[] leaf(byte[] entry) {
    sha256.update(LEAF_PREFIX);
    sha256.update(entry);
    return sha256.digest();
  }

  byte[] node(byte[] left, byte[] right) {
    sha256.update(NODE_PREFIX);
    sha256.update(left);
    sha256.update(right);
    return sha256.digest();
  }
}
