package org.medfed.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ShamirTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  private static byte[] secret(long seed) {
    byte[] secret = new byte[32];
    new Random(seed).nextBytes(secret);
    return secret;
  }

  @Test
  void primeIsAboveEverySecretAndPrime() {
    assertTrue(Shamir.PRIME.compareTo(BigInteger.ONE.shiftLeft(256)) > 0);
    assertTrue(Shamir.PRIME.isProbablePrime(128));
  }

  @Property(tries = 200)
  void anyThresholdSharesReconstructTheSecret(
      @ForAll @IntRange(min = 1, max = 20) int n,
      @ForAll @IntRange(min = 0, max = 100) int thresholdPercent,
      @ForAll long seed) {
    int t = 1 + (n - 1) * thresholdPercent / 100;
    byte[] secret = secret(seed);
    List<Shamir.Share> shares = new ArrayList<>(Shamir.split(secret, n, t, RANDOM));
    Collections.shuffle(shares, new Random(seed));
    assertArrayEquals(secret, Shamir.reconstruct(shares.subList(0, t)));
  }

  @Property(tries = 100)
  void fewerThanThresholdSharesAreConsistentWithAnyOtherSecret(
      @ForAll @IntRange(min = 2, max = 12) int t, @ForAll long seed) {
    byte[] secret = secret(seed);
    byte[] other = secret(~seed);
    List<Shamir.Share> shares = Shamir.split(secret, t + 2, t, RANDOM);
    List<Shamir.Share> seen = shares.subList(0, t - 1);
    // The unique degree-(t-1) polynomial through the seen shares and (0, other) exists, so the
    // seen shares are exactly what sharing `other` could have produced.
    List<Shamir.Share> points = new ArrayList<>(seen);
    points.add(fabricatedShare(seen, other, t + 1));
    assertArrayEquals(other, Shamir.reconstruct(points));
    assertFalse(Arrays.equals(secret, other));
    assertArrayEquals(secret, Shamir.reconstruct(shares.subList(0, t)));
  }

  /** The share at {@code index} of the polynomial through {@code seen} and (0, secret). */
  private static Shamir.Share fabricatedShare(List<Shamir.Share> seen, byte[] secret, int index) {
    // Share forbids index 0, so evaluate the Lagrange form through (0, secret) directly.
    BigInteger s = new BigInteger(1, secret);
    BigInteger x = BigInteger.valueOf(index);
    BigInteger result = BigInteger.ZERO;
    List<BigInteger> xs = new ArrayList<>();
    List<BigInteger> ys = new ArrayList<>();
    xs.add(BigInteger.ZERO);
    ys.add(s);
    for (Shamir.Share share : seen) {
      xs.add(BigInteger.valueOf(share.index()));
      ys.add(share.value());
    }
    BigInteger p = Shamir.PRIME;
    for (int i = 0; i < xs.size(); i++) {
      BigInteger num = BigInteger.ONE;
      BigInteger den = BigInteger.ONE;
      for (int j = 0; j < xs.size(); j++) {
        if (i != j) {
          num = num.multiply(x.subtract(xs.get(j))).mod(p);
          den = den.multiply(xs.get(i).subtract(xs.get(j))).mod(p);
        }
      }
      result = result.add(ys.get(i).multiply(num).multiply(den.modInverse(p))).mod(p);
    }
    return new Shamir.Share(index, result);
  }

  @Test
  void fewerThanThresholdSharesDoNotReconstruct() {
    byte[] secret = secret(42);
    List<Shamir.Share> shares = Shamir.split(secret, 5, 3, RANDOM);
    byte[] guess;
    try {
      guess = Shamir.reconstruct(shares.subList(0, 2));
    } catch (IllegalArgumentException e) {
      return; // not even a 32-byte value
    }
    assertFalse(Arrays.equals(secret, guess));
  }

  @Test
  void shareEncodingRoundTrips() {
    for (Shamir.Share share : Shamir.split(secret(7), 4, 2, RANDOM)) {
      byte[] encoded = share.encode();
      assertEquals(Shamir.SHARE_BYTES, encoded.length);
      assertEquals(share, Shamir.Share.decode(share.index(), encoded));
    }
  }

  @Test
  void refusesRepeatedIndicesAndBadThreshold() {
    List<Shamir.Share> shares = Shamir.split(secret(1), 3, 2, RANDOM);
    assertThrows(
        IllegalArgumentException.class,
        () -> Shamir.reconstruct(List.of(shares.get(0), shares.get(0))));
    assertThrows(IllegalArgumentException.class, () -> Shamir.split(secret(1), 3, 4, RANDOM));
    assertThrows(IllegalArgumentException.class, () -> Shamir.split(new byte[31], 3, 2, RANDOM));
  }

  @Test
  void shareToStringHidesTheValue() {
    Shamir.Share share = Shamir.split(secret(3), 2, 2, RANDOM).get(0);
    assertEquals("Share(index=1)", share.toString());
  }
}
