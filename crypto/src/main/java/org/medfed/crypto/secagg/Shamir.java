package org.medfed.crypto.secagg;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Shamir secret sharing of 32-byte secrets over GF(p), p = 2^256 + 297 (the least prime above
 * 2^256), so every secret is a field element. Shares are indexed 1..n and encoded as 33 bytes
 * (big-endian y). Any t shares reconstruct; any t - 1 shares are consistent with every secret, so
 * they reveal nothing about it.
 */
final class Shamir {
  static final BigInteger PRIME = BigInteger.ONE.shiftLeft(256).add(BigInteger.valueOf(297));
  static final int SECRET_BYTES = 32;
  static final int SHARE_BYTES = 33;
  static final int MAX_SHARES = 1000;

  private Shamir() {}

  /** One share: the polynomial's value at x = index. */
  record Share(int index, BigInteger value) {
    Share {
      if (index < 1 || index > MAX_SHARES) {
        throw new IllegalArgumentException("share index " + index + " outside 1.." + MAX_SHARES);
      }
      Objects.requireNonNull(value, "value");
      if (value.signum() < 0 || value.compareTo(PRIME) >= 0) {
        throw new IllegalArgumentException("share value is not a field element");
      }
    }

    byte[] encode() {
      byte[] raw = value.toByteArray();
      byte[] out = new byte[SHARE_BYTES];
      int copy = Math.min(raw.length, SHARE_BYTES);
      System.arraycopy(raw, raw.length - copy, out, SHARE_BYTES - copy, copy);
      return out;
    }

    static Share decode(int index, byte[] encoded) {
      if (encoded.length != SHARE_BYTES) {
        throw new IllegalArgumentException(
            "a share is " + SHARE_BYTES + " bytes, got " + encoded.length);
      }
      return new Share(index, new BigInteger(1, encoded));
    }

    @Override
    public String toString() {
      return "Share(index=" + index + ")";
    }
  }

  /** Splits a 32-byte secret into n shares indexed 1..n, any t of which reconstruct it. */
  static List<Share> split(byte[] secret, int n, int t, SecureRandom random) {
    int[] indices = new int[n];
    for (int i = 0; i < n; i++) {
      indices[i] = i + 1;
    }
    return split(secret, indices, t, random);
  }

  /** Splits a 32-byte secret into shares at the given distinct indices; any t reconstruct it. */
  static List<Share> split(byte[] secret, int[] indices, int t, SecureRandom random) {
    if (secret.length != SECRET_BYTES) {
      throw new IllegalArgumentException(
          "secret must be " + SECRET_BYTES + " bytes, got " + secret.length);
    }
    int n = indices.length;
    if (t < 1 || t > n || n > MAX_SHARES) {
      throw new IllegalArgumentException(
          "need 1 <= t <= n <= " + MAX_SHARES + ", got t=" + t + ", n=" + n);
    }
    BigInteger[] coefficients = new BigInteger[t];
    coefficients[0] = new BigInteger(1, secret);
    for (int i = 1; i < t; i++) {
      coefficients[i] = randomFieldElement(random);
    }
    List<Share> shares = new ArrayList<>(n);
    Set<Integer> seen = new HashSet<>();
    for (int x : indices) {
      if (!seen.add(x)) {
        throw new IllegalArgumentException("share index " + x + " repeats");
      }
      shares.add(new Share(x, evaluate(coefficients, BigInteger.valueOf(x))));
    }
    return shares;
  }

  /**
   * Reconstructs the secret from exactly the given shares (the caller passes t of them).
   *
   * @throws IllegalArgumentException if indices repeat or the result is not a 32-byte secret
   *     (shares from different polynomials, or too few of them)
   */
  static byte[] reconstruct(List<Share> shares) {
    BigInteger secret = interpolateAt(shares, BigInteger.ZERO);
    if (secret.bitLength() > SECRET_BYTES * 8) {
      throw new IllegalArgumentException("shares do not reconstruct a 32-byte secret");
    }
    byte[] raw = secret.toByteArray();
    byte[] out = new byte[SECRET_BYTES];
    int copy = Math.min(raw.length, SECRET_BYTES);
    System.arraycopy(raw, raw.length - copy, out, SECRET_BYTES - copy, copy);
    return out;
  }

  /** Lagrange interpolation through the shares, evaluated at x. */
  static BigInteger interpolateAt(List<Share> shares, BigInteger x) {
    if (shares.isEmpty()) {
      throw new IllegalArgumentException("no shares");
    }
    Set<Integer> seen = new HashSet<>();
    for (Share share : shares) {
      if (!seen.add(share.index())) {
        throw new IllegalArgumentException("share index " + share.index() + " repeats");
      }
    }
    BigInteger result = BigInteger.ZERO;
    for (Share i : shares) {
      BigInteger xi = BigInteger.valueOf(i.index());
      BigInteger numerator = BigInteger.ONE;
      BigInteger denominator = BigInteger.ONE;
      for (Share j : shares) {
        if (j == i) {
          continue;
        }
        BigInteger xj = BigInteger.valueOf(j.index());
        numerator = numerator.multiply(x.subtract(xj)).mod(PRIME);
        denominator = denominator.multiply(xi.subtract(xj)).mod(PRIME);
      }
      BigInteger term = i.value().multiply(numerator).multiply(denominator.modInverse(PRIME));
      result = result.add(term).mod(PRIME);
    }
    return result;
  }

  private static BigInteger evaluate(BigInteger[] coefficients, BigInteger x) {
    BigInteger y = BigInteger.ZERO;
    for (int i = coefficients.length - 1; i >= 0; i--) {
      y = y.multiply(x).add(coefficients[i]).mod(PRIME);
    }
    return y;
  }

  /** Uniform in [0, p) by rejection: p is just above 2^256, so about half of draws are kept. */
  private static BigInteger randomFieldElement(SecureRandom random) {
    while (true) {
      BigInteger candidate = new BigInteger(PRIME.bitLength(), random);
      if (candidate.compareTo(PRIME) < 0) {
        return candidate;
      }
    }
  }
}
