package org.medfed.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.SecureRandom;
import java.util.Random;
import javax.crypto.SecretKey;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Masks applied block by block give exactly what applying each stream in turn gives. */
class MaskSumTest {
  private static SecretKey key(int i) {
    return RoundCrypto.deriveKey(
        new byte[32], RoundCrypto.Purpose.PAIRWISE_MASK, 1, "site-" + i, "site-x");
  }

  @Property(tries = 30)
  void blockwiseSumEqualsEachStreamAddedInTurn(
      @ForAll @IntRange(min = 1, max = 3 * MaskStream.CHUNK_INTS + 7) int length,
      @ForAll @IntRange(min = 0, max = 6) int streams,
      @ForAll long seed) {
    Random data = new Random(seed);
    int[] expected = new int[length];
    for (int i = 0; i < length; i++) {
      expected[i] = data.nextInt();
    }
    int[] actual = expected.clone();
    MaskSum masks = new MaskSum();
    for (int s = 0; s < streams; s++) {
      boolean subtract = data.nextBoolean();
      new MaskStream(key(s)).addInto(expected, subtract);
      masks.add(key(s), subtract);
    }
    masks.applyTo(actual);
    assertEquals(streams, masks.size());
    assertArrayEquals(expected, actual);
  }

  @Test
  void addedAndSubtractedStreamCancel() {
    int[] vector = new int[MaskStream.CHUNK_INTS + 3];
    MaskSum masks = new MaskSum();
    masks.add(key(1), false);
    masks.add(key(1), true);
    masks.applyTo(vector);
    assertArrayEquals(new int[vector.length], vector);
  }

  @Test
  void refusesBlockLongerThanAChunk() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new MaskSum()
                .applyTo(new int[MaskStream.CHUNK_INTS + 1], 0, MaskStream.CHUNK_INTS + 1));
  }

  @Property(tries = 20)
  void encodingWithMasksEqualsEncodingThenMasking(
      @ForAll @IntRange(min = 1, max = 2 * MaskStream.CHUNK_INTS + 3) int length, @ForAll long seed)
      throws Exception {
    Random data = new Random(seed);
    double[] values = new double[length];
    for (int i = 0; i < length; i++) {
      values[i] = (data.nextDouble() * 2 - 1) * 1.5;
    }
    Quantizer quantizer = Quantizer.withHeadroom(1.0, 10);
    byte[] randomSeed = new byte[32];
    data.nextBytes(randomSeed);

    int[] separately = quantizer.encode(values, seeded(randomSeed));
    MaskSum after = new MaskSum();
    after.add(key(1), false);
    after.add(key(2), true);
    after.applyTo(separately);

    MaskSum fused = new MaskSum();
    fused.add(key(1), false);
    fused.add(key(2), true);
    assertArrayEquals(separately, quantizer.encode(values, seeded(randomSeed), fused));
  }

  /** The same bytes for the same seed, so two encodings draw the same rounding key. */
  private static SecureRandom seeded(byte[] seed) throws Exception {
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(seed);
    return random;
  }
}
