package org.medfed.crypto.secagg;

import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
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
  private final int range;
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
    this.range = (int) perSite;
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
    return encode(values, random, new MaskSum());
  }

  /**
   * {@link #encode(double[], SecureRandom)} followed by {@code masks.applyTo}, in one pass: each
   * block of {@link MaskStream#CHUNK_INTS} values is encoded and then masked while it is in cache.
   */
  int[] encode(double[] values, SecureRandom random, MaskSum masks) {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException("value at index " + i + " is not finite");
      }
    }
    byte[] seed = new byte[RoundCrypto.KEY_BYTES];
    random.nextBytes(seed);
    Cipher rounding = MaskStream.cipher(new SecretKeySpec(seed, "AES"));
    Arrays.fill(seed, (byte) 0);
    // Two uint32 draws per value give a 53-bit uniform in [0, 1); drawn in bulk for speed.
    byte[] draws = new byte[2 * MaskStream.CHUNK_BYTES];
    int[] out = new int[values.length];
    for (int from = 0; from < values.length; from += MaskStream.CHUNK_INTS) {
      int to = Math.min(values.length, from + MaskStream.CHUNK_INTS);
      int count = to - from;
      MaskStream.keyStream(rounding, draws, 2 * Integer.BYTES * count);
      for (int j = 0; j < count; j++) {
        double scaled = Math.max(-clip, Math.min(clip, values[from + j])) * scale;
        double floor = Math.floor(scaled);
        // The 26 high bits of one draw and the 27 high bits of another: exactly the double
        // ((high << 27) | low) * 2^-53, uniform on the multiples of 2^-53 in [0, 1).
        int high = MaskStream.intAt(draws, Integer.BYTES * j) >>> 6;
        int low = MaskStream.intAt(draws, Integer.BYTES * (count + j)) >>> 5;
        double uniform = high * 0x1.0p-26 + low * 0x1.0p-53;
        int rounded = (int) floor + (uniform < scaled - floor ? 1 : 0);
        out[from + j] = Math.max(-range, Math.min(range, rounded));
      }
      masks.applyTo(out, from, to);
    }
    Arrays.fill(draws, (byte) 0);
    masks.clear();
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
    long bound = (long) sites * range;
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
