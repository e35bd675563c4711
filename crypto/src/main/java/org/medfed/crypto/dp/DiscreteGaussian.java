package org.medfed.crypto.dp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * The discrete Gaussian over the integers, {@code P[x] proportional to exp(-x^2 / (2 sigma^2))},
 * sampled exactly (Canonne, Kamath and Steinke 2020, algorithm 3): only integer and rational
 * arithmetic and uniform integers from a cryptographically secure generator, no floating point, so
 * the output distribution is exactly the stated one.
 *
 * <p>Its variance is at most {@code sigma^2} and, for {@code sigma >= 1}, equal to it up to a
 * relative error below 1e-7. Instances are immutable; sampling is safe from several threads when
 * the generator is.
 */
public final class DiscreteGaussian {
  private final double sigma;
  private final Fraction sigmaSquared;
  private final BigInteger t; // floor(sigma) + 1, the discrete Laplace scale of the proposal

  private DiscreteGaussian(double sigma, Fraction sigmaSquared) {
    this.sigma = sigma;
    this.sigmaSquared = sigmaSquared;
    this.t = sigmaSquared.num.divide(sigmaSquared.den).sqrt().add(BigInteger.ONE);
  }

  /**
   * The discrete Gaussian with parameter {@code sigma}, taken exactly as the binary fraction the
   * double represents.
   */
  public static DiscreteGaussian withSigma(double sigma) {
    if (!(sigma > 0.0) || !Double.isFinite(sigma)) {
      throw new IllegalArgumentException(
          "discrete Gaussian sigma must be positive and finite, got " + sigma);
    }
    BigDecimal exact = new BigDecimal(sigma);
    BigDecimal square = exact.multiply(exact);
    BigInteger num = square.unscaledValue();
    BigInteger den = BigInteger.TEN.pow(square.scale());
    if (square.scale() < 0) {
      num = num.multiply(BigInteger.TEN.pow(-square.scale()));
      den = BigInteger.ONE;
    }
    return new DiscreteGaussian(sigma, Fraction.of(num, den));
  }

  /** The parameter sigma. */
  public double sigma() {
    return sigma;
  }

  /** One exact sample. */
  public long sample(SecureRandom random) {
    if (random == null) {
      throw new NullPointerException("random");
    }
    Fraction laplaceRate = Fraction.of(BigInteger.ONE, t);
    Fraction center = sigmaSquared.divide(Fraction.of(t, BigInteger.ONE));
    Fraction twoSigmaSquared = sigmaSquared.multiply(Fraction.of(BigInteger.TWO, BigInteger.ONE));
    while (true) {
      BigInteger candidate = discreteLaplace(laplaceRate, random);
      Fraction distance = Fraction.of(candidate.abs(), BigInteger.ONE).subtract(center);
      Fraction bias = distance.multiply(distance).divide(twoSigmaSquared);
      if (bernoulliExp(bias, random)) {
        return candidate.longValueExact();
      }
    }
  }

  /** P[x] proportional to exp(-rate |x|) for rate = 1/t: CKS algorithm 2. */
  private static BigInteger discreteLaplace(Fraction rate, SecureRandom random) {
    while (true) {
      boolean negative = bernoulli(Fraction.of(BigInteger.ONE, BigInteger.TWO), random);
      BigInteger magnitude = geometricExp(rate, random);
      if (negative && magnitude.signum() == 0) {
        continue;
      }
      return negative ? magnitude.negate() : magnitude;
    }
  }

  /** P[k] proportional to exp(-x k) for k >= 0, with x = s/t. */
  private static BigInteger geometricExp(Fraction x, SecureRandom random) {
    BigInteger s = x.num;
    BigInteger denominator = x.den;
    BigInteger u;
    do {
      u = uniform(denominator, random);
    } while (!bernoulliExp(Fraction.of(u, denominator), random));
    BigInteger v = BigInteger.ZERO;
    while (bernoulliExp(Fraction.ONE, random)) {
      v = v.add(BigInteger.ONE);
    }
    return v.multiply(denominator).add(u).divide(s);
  }

  /** Bernoulli(exp(-gamma)) for rational gamma >= 0: CKS algorithm 1. */
  private static boolean bernoulliExp(Fraction gamma, SecureRandom random) {
    Fraction rest = gamma;
    while (rest.compareTo(Fraction.ONE) > 0) {
      if (!bernoulliExpAtMostOne(Fraction.ONE, random)) {
        return false;
      }
      rest = rest.subtract(Fraction.ONE);
    }
    return bernoulliExpAtMostOne(rest, random);
  }

  /** Bernoulli(exp(-gamma)) for gamma in [0, 1]. */
  private static boolean bernoulliExpAtMostOne(Fraction gamma, SecureRandom random) {
    BigInteger k = BigInteger.ONE;
    while (bernoulli(Fraction.of(gamma.num, gamma.den.multiply(k)), random)) {
      k = k.add(BigInteger.ONE);
    }
    return k.testBit(0);
  }

  private static boolean bernoulli(Fraction p, SecureRandom random) {
    return uniform(p.den, random).compareTo(p.num) < 0;
  }

  /** Uniform on {0, ..., bound - 1} by rejection, so without modulo bias. */
  private static BigInteger uniform(BigInteger bound, SecureRandom random) {
    if (bound.bitLength() < 63) {
      return BigInteger.valueOf(random.nextLong(bound.longValueExact()));
    }
    BigInteger value;
    do {
      value = new BigInteger(bound.bitLength(), random);
    } while (value.compareTo(bound) >= 0);
    return value;
  }

  @Override
  public String toString() {
    return "DiscreteGaussian[sigma=" + sigma() + "]";
  }

  /** A non-negative-denominator rational in lowest terms. */
  private record Fraction(BigInteger num, BigInteger den) implements Comparable<Fraction> {
    static final Fraction ONE = new Fraction(BigInteger.ONE, BigInteger.ONE);

    static Fraction of(BigInteger num, BigInteger den) {
      BigInteger gcd = num.gcd(den);
      if (gcd.signum() == 0 || gcd.equals(BigInteger.ONE)) {
        return new Fraction(num, den);
      }
      return new Fraction(num.divide(gcd), den.divide(gcd));
    }

    Fraction subtract(Fraction o) {
      return of(num.multiply(o.den).subtract(o.num.multiply(den)), den.multiply(o.den));
    }

    Fraction multiply(Fraction o) {
      return of(num.multiply(o.num), den.multiply(o.den));
    }

    Fraction divide(Fraction o) {
      return of(num.multiply(o.den), den.multiply(o.num));
    }

    @Override
    public int compareTo(Fraction o) {
      return num.multiply(o.den).compareTo(o.num.multiply(den));
    }
  }
}
