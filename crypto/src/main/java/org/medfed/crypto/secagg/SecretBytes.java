package org.medfed.crypto.secagg;

import java.security.MessageDigest;
import java.util.Arrays;

/** Secret bytes that never print and compare in constant time. */
final class SecretBytes {
  private final byte[] bytes;

  private SecretBytes(byte[] bytes) {
    this.bytes = bytes;
  }

  static SecretBytes copyOf(byte[] bytes) {
    return new SecretBytes(bytes.clone());
  }

  byte[] toByteArray() {
    return bytes.clone();
  }

  int size() {
    return bytes.length;
  }

  boolean equalsSecret(SecretBytes other) {
    return MessageDigest.isEqual(bytes, other.bytes);
  }

  void destroy() {
    Arrays.fill(bytes, (byte) 0);
  }

  @Override
  public String toString() {
    return "SecretBytes(" + bytes.length + " bytes)";
  }
}
