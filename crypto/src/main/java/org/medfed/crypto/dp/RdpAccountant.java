package org.medfed.crypto.dp;

import java.util.Arrays;

/**
 * A Rényi differential-privacy accountant for DP-SGD: the RDP curve of a sequence of
 * Poisson-subsampled Gaussian steps, tracked over a grid of orders, and its conversion to (epsilon,
 * delta).
 *
 * <p>RDP composes by addition at each order, so the steps of several rounds (with different
 * sampling rates or noise multipliers) simply add up. Instances are immutable: {@link #plus}
 * returns a new accountant.
 *
 * <p>The default orders are those of TF-Privacy and Opacus: {@code 1 + x/10} for {@code x = 1..99}
 * and the integers 12 to 63.
 */
public final class RdpAccountant {
  private final double[] orders;
  private final double[] rdp;

  private RdpAccountant(double[] orders, double[] rdp) {
    this.orders = orders;
    this.rdp = rdp;
  }

  /** An accountant over the default orders that has charged nothing yet. */
  public static RdpAccountant create() {
    double[] orders = new double[99 + 52];
    for (int x = 1; x <= 99; x++) {
      orders[x - 1] = 1.0 + x / 10.0;
    }
    for (int a = 12; a <= 63; a++) {
      orders[99 + a - 12] = a;
    }
    return new RdpAccountant(orders, new double[orders.length]);
  }

  /** An accountant over the given orders, each finite and above 1, that has charged nothing yet. */
  public static RdpAccountant withOrders(double... orders) {
    if (orders.length == 0) {
      throw new IllegalArgumentException("an accountant needs at least one Rényi order");
    }
    for (double order : orders) {
      if (!(order > 1.0) || !Double.isFinite(order)) {
        throw new IllegalArgumentException("Rényi orders must be finite and above 1, got " + order);
      }
    }
    return new RdpAccountant(orders.clone(), new double[orders.length]);
  }

  /** This accountant after {@code steps} more steps of {@code mechanism}. */
  public RdpAccountant plus(SampledGaussian mechanism, long steps) {
    if (mechanism == null) {
      throw new NullPointerException("mechanism");
    }
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be at least 0, got " + steps);
    }
    double[] sum = rdp.clone();
    for (int k = 0; k < orders.length && steps > 0; k++) {
      sum[k] += steps * mechanism.rdp(orders[k]);
    }
    return new RdpAccountant(orders, sum);
  }

  /** The Rényi orders, in the order {@link #rdp()} uses. */
  public double[] orders() {
    return orders.clone();
  }

  /** The composed RDP at each of {@link #orders()}. */
  public double[] rdp() {
    return rdp.clone();
  }

  /**
   * The smallest epsilon over all orders for which everything charged so far is (epsilon,
   * delta)-DP.
   *
   * @param delta in (0, 1)
   */
  public PrivacySpent privacySpent(double delta, RdpConversion conversion) {
    if (!(delta > 0.0 && delta < 1.0)) {
      throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
    }
    if (conversion == null) {
      throw new NullPointerException("conversion");
    }
    double best = Double.POSITIVE_INFINITY;
    double bestOrder = orders[0];
    for (int k = 0; k < orders.length; k++) {
      double epsilon = epsilon(orders[k], rdp[k], delta, conversion);
      if (epsilon < best) {
        best = epsilon;
        bestOrder = orders[k];
      }
    }
    return new PrivacySpent(Math.max(0.0, best), delta, bestOrder);
  }

  private static double epsilon(double order, double rdp, double delta, RdpConversion conversion) {
    return switch (conversion) {
      case CLASSIC -> rdp - Math.log(delta) / (order - 1.0);
      case BALLE_2020 -> {
        if (delta * delta + Math.expm1(-rdp) >= 0.0) {
          // delta <= sqrt(1 - e^-KL) and KL <= RDP: (0, delta)-DP already holds.
          yield 0.0;
        }
        yield rdp + Math.log1p(-1.0 / order) - (Math.log(delta) + Math.log(order)) / (order - 1.0);
      }
    };
  }

  /**
   * The smallest noise multiplier (within a relative 1e-4, rounded up) for which {@code steps}
   * steps at sampling rate {@code samplingRate} stay within (targetEpsilon, delta) over the default
   * orders.
   */
  public static double noiseMultiplierFor(
      double targetEpsilon,
      double delta,
      double samplingRate,
      long steps,
      RdpConversion conversion) {
    if (!(targetEpsilon > 0.0) || !Double.isFinite(targetEpsilon)) {
      throw new IllegalArgumentException(
          "target epsilon must be positive and finite, got " + targetEpsilon);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be at least 1, got " + steps);
    }
    RdpAccountant empty = create();
    double high = 1.0;
    while (epsilonAt(empty, high, samplingRate, steps, delta, conversion) > targetEpsilon) {
      high *= 2.0;
      if (high > 1e6) {
        throw new IllegalArgumentException(
            "no noise multiplier up to 1e6 reaches epsilon " + targetEpsilon);
      }
    }
    double low = high / 2.0;
    while (low > 1e-6
        && epsilonAt(empty, low, samplingRate, steps, delta, conversion) <= targetEpsilon) {
      high = low;
      low /= 2.0;
    }
    while (high - low > 1e-4 * high) {
      double middle = 0.5 * (low + high);
      if (epsilonAt(empty, middle, samplingRate, steps, delta, conversion) > targetEpsilon) {
        low = middle;
      } else {
        high = middle;
      }
    }
    return high;
  }

  private static double epsilonAt(
      RdpAccountant empty,
      double sigma,
      double samplingRate,
      long steps,
      double delta,
      RdpConversion conversion) {
    return empty
        .plus(new SampledGaussian(samplingRate, sigma), steps)
        .privacySpent(delta, conversion)
        .epsilon();
  }

  @Override
  public String toString() {
    return "RdpAccountant[orders=" + orders.length + ", rdp=" + Arrays.toString(rdp) + "]";
  }
}
