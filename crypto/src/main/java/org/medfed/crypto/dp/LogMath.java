package org.medfed.crypto.dp;

/** Log-space arithmetic and the complementary error function, for the accountant's series. */
final class LogMath {
  private static final double LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
  private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

  private LogMath() {}

  /** {@code log(e^a + e^b)} without overflow. */
  static double logAdd(double a, double b) {
    double hi = Math.max(a, b);
    double lo = Math.min(a, b);
    if (hi == Double.NEGATIVE_INFINITY) {
      return hi;
    }
    return hi + Math.log1p(Math.exp(lo - hi));
  }

  /** {@code log(e^a - e^b)} for {@code a >= b}; {@code -inf} when they are equal. */
  static double logSub(double a, double b) {
    if (a < b) {
      throw new ArithmeticException("log-space subtraction would be negative");
    }
    if (b == Double.NEGATIVE_INFINITY) {
      return a;
    }
    if (a == b) {
      return Double.NEGATIVE_INFINITY;
    }
    return Math.log(-Math.expm1(b - a)) + a;
  }

  /**
   * {@code log(erfc(x))}, accurate to a few ulps of erfc over the whole real line and finite for
   * large {@code x}, where erfc itself underflows.
   */
  static double logErfc(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    if (x < 0) {
      // erfc(x) = 2 - erfc(-x) lies in (1, 2]: no cancellation.
      return Math.log(2.0 - Math.exp(logErfc(-x)));
    }
    if (x < 1.5) {
      return Math.log1p(-erfSeries(x));
    }
    return -x * x - LOG_SQRT_PI - Math.log(continuedFraction(x));
  }

  /**
   * erf by the all-positive series {@code 2/sqrt(pi) e^{-x^2} sum 2^n x^{2n+1} / (2n+1)!!}, which
   * does not cancel for moderate x.
   */
  private static double erfSeries(double x) {
    double x2 = x * x;
    double term = x;
    double sum = x;
    for (int n = 1; n < 200; n++) {
      term *= 2.0 * x2 / (2 * n + 1);
      sum += term;
      if (term < 1e-17 * sum) {
        break;
      }
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }

  /**
   * Laplace's continued fraction {@code x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))}, evaluated with
   * the modified Lentz method; {@code erfc(x) = e^{-x^2} / (sqrt(pi) * cf)}.
   */
  private static double continuedFraction(double x) {
    final double tiny = 1e-300;
    double f = x;
    double c = f;
    double d = 0.0;
    for (int n = 1; n < 100_000; n++) {
      double a = 0.5 * n;
      d = x + a * d;
      d = d == 0.0 ? tiny : d;
      c = x + a / c;
      c = c == 0.0 ? tiny : c;
      d = 1.0 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1.0) < 1e-16) {
        return f;
      }
    }
    return f;
  }
}
