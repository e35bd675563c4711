package org.medfed.crypto.secagg;

import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * Fixed-point encoding of model updates into Z_{2^32} so they can be masked and summed.
 *
 * <p>Each value is clipped to [-clip, clip], multiplied by {@code scale = range / clip} with {@code
 * range = 2^(bits-1) - 1}, and rounded stochastically: up with probability equal to the fractional
 * part, so the rounded value is an unbiased estimate of the scaled one. The integer in [-range,
 * range] is stored in two's complement mod 2^32. The sum of n such integers lies in [-n·range,
 * n·range], which must fit in a signed 32-bit integer: the constructor refuses a configuration
 * where {@code maxSites · range > 2^31 - 1}.
 *
 * <p><b>Error bound.</b> For each element, each site's rounding error is below {@code 1 / scale},
 * so the decoded sum of n sites differs from the sum of their clipped values by less than {@code n
 * / scale} ({@link #errorBound}), and its expectation equals that sum exactly (up to the 2^-53
 * resolution of the rounding draw). Clipping is a deliberate, separate bias: values outside [-clip,
 * clip] count as ±clip.
 */
public final class Quantizer {
  private static final long INT32_MAX = Integer.MAX_VALUE;

  private final double clip;
  private final int bits;
  private final int maxSites;
  private final long range;
  private final double scale;

  /**
   * @param clip largest magnitude kept, finite and positive
   * @param bits bits per site value including sign, 2..31
   * @param maxSites most sites whose values may be summed
   * @throws IllegalArgumentException if a parameter is out of range or {@code maxSites} sums could
   *     overflow 32 bits
   */
  public Quantizer(double clip, int bits, int maxSites) {
    if (!(clip > 0) || Double.isInfinite(clip)) {
      throw new IllegalArgumentException("clip must be finite and positive, got " + clip);
    }
    if (bits < 2 || bits > 31) {
      throw new IllegalArgumentException("bits must be in 2..31, got " + bits);
    }
    if (maxSites < 1) {
      throw new IllegalArgumentException("maxSites must be at least 1, got " + maxSites);
    }
    long perSite = (1L << (bits - 1)) - 1;
    if ((long) maxSites * perSite > INT32_MAX) {
      throw new IllegalArgumentException(
          "no headroom: "
              + maxSites
              + " sites x range "
              + perSite
              + " ("
              + bits
              + " bits) exceeds 2^31 - 1; use at most "
              + maxBits(maxSites)
              + " bits for "
              + maxSites
              + " sites");
    }
    this.clip = clip;
    this.bits = bits;
    this.maxSites = maxSites;
    this.range = perSite;
    this.scale = perSite / clip;
  }

  /** The finest quantiser whose sum over {@code maxSites} sites still fits in 32 bits. */
  public static Quantizer withHeadroom(double clip, int maxSites) {
    if (maxSites < 1) {
      throw new IllegalArgumentException("maxSites must be at least 1, got " + maxSites);
    }
    int bits = maxBits(maxSites);
    if (bits < 2) {
      throw new IllegalArgumentException("too many sites for 32-bit sums: " + maxSites);
    }
    return new Quantizer(clip, bits, maxSites);
  }

  private static int maxBits(int sites) {
    int bits = 31;
    while (bits >= 2 && (long) sites * ((1L << (bits - 1)) - 1) > INT32_MAX) {
      bits--;
    }
    return bits;
  }

  /**
   * Clips, scales and stochastically rounds each value. The rounding draws come from AES-CTR keyed
   * by 256 bits taken from {@code random}.
   *
   * @throws IllegalArgumentException if a value is NaN or infinite
   */
  public int[] encode(double[] values, SecureRandom random) {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException("value at index " + i + " is not finite");
      }
    }
    byte[] seed = new byte[RoundCrypto.KEY_BYTES];
    random.nextBytes(seed);
    // Two uint32 draws per value give a 53-bit uniform in [0, 1); drawn in bulk for speed.
    int[] draws = new int[2 * values.length];
    new MaskStream(new SecretKeySpec(seed, "AES")).addInto(draws, false);
    Arrays.fill(seed, (byte) 0);
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      double scaled = Math.max(-clip, Math.min(clip, values[i])) * scale;
      double floor = Math.floor(scaled);
      long high = Integer.toUnsignedLong(draws[2 * i]) >>> 6;
      long low = Integer.toUnsignedLong(draws[2 * i + 1]) >>> 5;
      double uniform = ((high << 27) | low) * 0x1.0p-53;
      long rounded = (long) floor + (uniform < scaled - floor ? 1 : 0);
      out[i] = (int) Math.max(-range, Math.min(range, rounded));
    }
    return out;
  }

  /**
   * Decodes a sum (mod 2^32) of {@code sites} encoded vectors.
   *
   * @throws IllegalArgumentException if {@code sites} is outside 1..maxSites, or an element lies
   *     outside what {@code sites} encoded values can sum to (masks not fully removed)
   */
  public double[] decode(int[] sum, int sites) {
    if (sites < 1 || sites > maxSites) {
      throw new IllegalArgumentException("sites must be in 1.." + maxSites + ", got " + sites);
    }
    long bound = sites * range;
    double[] out = new double[sum.length];
    for (int i = 0; i < sum.length; i++) {
      if (Math.abs((long) sum[i]) > bound) {
        throw new IllegalArgumentException(
            "element " + i + " is outside the range of a sum of " + sites + " encoded values");
      }
      out[i] = sum[i] / scale;
    }
    return out;
  }

  /** Strict upper bound on |decoded sum - sum of clipped values| per element for n sites. */
  public double errorBound(int sites) {
    return sites / scale;
  }

  public double clip() {
    return clip;
  }

  public int bits() {
    return bits;
  }

  public int maxSites() {
    return maxSites;
  }

  /** Fixed-point units per unit of value. */
  public double scale() {
    return scale;
  }

  @Override
  public String toString() {
    return "Quantizer[clip=" + clip + ", bits=" + bits + ", maxSites=" + maxSites + "]";
  }
}
