package org.medfed.site.train;

import java.security.SecureRandom;
import java.util.Arrays;
import org.medfed.crypto.dp.GaussianNoise;

/**
 * Local training with record-level differential privacy: DP-SGD as in Abadi et al. (2016) and
 * Opacus.
 *
 * <p>Each step draws a Poisson batch (every record independently with probability q), clips each
 * sampled record's gradient to L2 norm C, adds N(0, sigma^2 C^2) noise to the clipped sum and
 * divides by the expected batch size {@code q N}; FedProx's proximal term, which depends on no
 * record, is added after the noise; then one SGD or Adam step. Each step is one sampled Gaussian
 * mechanism of {@link DpSgdSettings#mechanism()}: charge {@link TrainingResult#steps()} of them to
 * the accountant. Batch sampling and noise both come from the caller's {@link SecureRandom}: an
 * observer who could predict the batches would void the guarantee.
 *
 * <p>The result's {@code meanLoss} is {@code NaN}: the training loss is computed from the records
 * without noise, so reporting it would leave the site outside the privacy guarantee.
 */
public final class DpSgdTrainer {
  private DpSgdTrainer() {}

  /**
   * DP-SGD for the logistic-regression model on the {@code [w_1..w_d, bias]} layout; the gradient
   * clipped is that of the cross-entropy over all parameters, bias included.
   */
  public static TrainingResult train(
      double[] startWeights,
      double[][] x,
      int[] y,
      TrainingPlan plan,
      DpSgdSettings dp,
      SecureRandom random) {
    checkWeights(startWeights);
    Logistic.checkData(x, y, startWeights.length - 1);
    return train(startWeights, x.length, logistic(x, y), plan, dp, random);
  }

  /** DP-SGD for any model whose per-record loss gradient {@code model} computes. */
  public static TrainingResult train(
      double[] startWeights,
      int records,
      RecordGradient model,
      TrainingPlan plan,
      DpSgdSettings dp,
      SecureRandom random) {
    if (dp == null) {
      throw new NullPointerException("dp");
    }
    return run(
        startWeights,
        records,
        model,
        plan,
        dp.clippingNorm(),
        dp.noiseMultiplier(),
        dp.samplingRate(),
        random);
  }

  /**
   * The algorithm itself; {@code noiseMultiplier} may be 0 here so that tests can look at clipping
   * alone.
   */
  static TrainingResult run(
      double[] startWeights,
      int records,
      RecordGradient model,
      TrainingPlan plan,
      double clippingNorm,
      double noiseMultiplier,
      double samplingRate,
      SecureRandom random) {
    checkWeights(startWeights);
    if (records < 1) {
      throw new IllegalArgumentException("DP-SGD needs at least one record, got " + records);
    }
    if (model == null || plan == null || random == null) {
      throw new NullPointerException("model, plan and random are required");
    }
    int p = startWeights.length;
    double[] start = startWeights.clone();
    double[] w = startWeights.clone();
    double[] recordGradient = new double[p];
    double[] update = new double[p];
    OptimizerState optimizer = new OptimizerState(plan, p);
    GaussianNoise noise = new GaussianNoise(random);
    double noiseDeviation = noiseMultiplier * clippingNorm;
    double expectedBatch = samplingRate * records;
    double mu = plan.proximalMu();
    for (int step = 1; step <= plan.localSteps(); step++) {
      Arrays.fill(update, 0.0);
      for (int i = 0; i < records; i++) {
        if (samplingRate < 1.0 && !(random.nextDouble() < samplingRate)) {
          continue;
        }
        Arrays.fill(recordGradient, 0.0);
        model.lossAndGradient(w, i, recordGradient);
        addClipped(recordGradient, clippingNorm, update);
      }
      noise.addTo(update, noiseDeviation);
      for (int j = 0; j < p; j++) {
        update[j] /= expectedBatch;
        if (mu > 0.0) {
          update[j] += mu * (w[j] - start[j]);
        }
      }
      optimizer.step(w, update);
    }
    return new TrainingResult(w, Double.NaN, plan.localSteps());
  }

  /**
   * One Poisson-sampled, clipped gradient sum at {@code weights}, for FedSGD with distributed
   * noise: every record joins the batch independently with probability {@code samplingRate}, and
   * each sampled record's logistic-regression gradient is clipped to {@code clippingNorm} and
   * added. No noise: the caller adds its share of the distributed noise to the integer encoding of
   * the result.
   *
   * @param random the batch sampling's source; must be cryptographically secure
   */
  public static ClippedGradientSum clippedGradientSum(
      double[] weights,
      double[][] x,
      int[] y,
      double clippingNorm,
      double samplingRate,
      SecureRandom random) {
    checkWeights(weights);
    Logistic.checkData(x, y, weights.length - 1);
    if (!(clippingNorm > 0.0) || !Double.isFinite(clippingNorm)) {
      throw new IllegalArgumentException(
          "clipping norm must be positive and finite, got " + clippingNorm);
    }
    if (!(samplingRate > 0.0 && samplingRate <= 1.0)) {
      throw new IllegalArgumentException("sampling rate must be in (0, 1], got " + samplingRate);
    }
    RecordGradient model = logistic(x, y);
    double[] recordGradient = new double[weights.length];
    double[] sum = new double[weights.length];
    long count = 0;
    for (int i = 0; i < x.length; i++) {
      if (samplingRate < 1.0 && !(random.nextDouble() < samplingRate)) {
        continue;
      }
      Arrays.fill(recordGradient, 0.0);
      model.lossAndGradient(weights, i, recordGradient);
      addClipped(recordGradient, clippingNorm, sum);
      count++;
    }
    return new ClippedGradientSum(sum, count);
  }

  /** {@code sum += g * min(1, C / ||g||)}. */
  private static void addClipped(double[] gradient, double clippingNorm, double[] sum) {
    double squares = 0.0;
    for (double g : gradient) {
      squares += g * g;
    }
    double norm = Math.sqrt(squares);
    if (!Double.isFinite(norm)) {
      throw new IllegalStateException("a per-record gradient is not finite");
    }
    double scale = norm > clippingNorm ? clippingNorm / norm : 1.0;
    for (int j = 0; j < sum.length; j++) {
      sum[j] += scale * gradient[j];
    }
  }

  private static RecordGradient logistic(double[][] x, int[] y) {
    return (weights, record, gradient) -> {
      double[] row = x[record];
      double z = Logistic.logit(weights, row);
      double residual = Logistic.sigmoid(z) - y[record];
      int d = row.length;
      for (int j = 0; j < d; j++) {
        gradient[j] = residual * row[j];
      }
      gradient[d] = residual;
      return Logistic.logLoss(z, y[record]);
    };
  }

  private static void checkWeights(double[] startWeights) {
    if (startWeights.length < 1) {
      throw new IllegalArgumentException("startWeights needs at least the bias");
    }
    for (double w : startWeights) {
      if (!Double.isFinite(w)) {
        throw new IllegalArgumentException("startWeights must be finite");
      }
    }
  }
}
