package org.medfed.site.train;

import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * Local training of a logistic-regression model, as a FLamby client does it in PyTorch.
 *
 * <p>Mini-batches follow a {@code DataLoader(shuffle=True, drop_last=False)}: each epoch visits the
 * records in a fresh random order, the last batch of an epoch may be smaller, and epochs repeat
 * until the plan's number of steps is done.
 */
public final class LocalTrainer {
  private LocalTrainer() {}

  /**
   * Runs {@code plan.localSteps()} optimiser steps from {@code startWeights}.
   *
   * @param startWeights the global model, {@code [w_1..w_d, bias]}
   * @param x the site's (standardised) training features, d columns
   * @param y the labels, 0 or 1
   * @param seed seeds the batch order; the same inputs and seed give the same result
   */
  public static TrainingResult train(
      double[] startWeights, double[][] x, int[] y, TrainingPlan plan, long seed) {
    if (startWeights.length < 1) {
      throw new IllegalArgumentException("startWeights needs at least the bias");
    }
    for (double w : startWeights) {
      if (!Double.isFinite(w)) {
        throw new IllegalArgumentException("startWeights must be finite");
      }
    }
    Logistic.checkData(x, y, startWeights.length - 1);
    int n = x.length;
    int p = startWeights.length;
    double[] start = startWeights.clone();
    double[] w = startWeights.clone();
    double[] gradient = new double[p];
    OptimizerState optimizer = new OptimizerState(plan, p);
    // The batch order only has to be reproducible; it is not security-relevant.
    SplittableRandom random = new SplittableRandom(seed);
    int[] order = new int[n];
    int next = n;
    double lossSum = 0.0;
    for (int step = 1; step <= plan.localSteps(); step++) {
      if (next >= n) {
        shuffle(order, random);
        next = 0;
      }
      int end = Math.min(next + plan.batchSize(), n);
      lossSum += Logistic.objective(w, x, y, order, next, end, start, plan.proximalMu(), gradient);
      next = end;
      optimizer.step(w, gradient);
    }
    return new TrainingResult(w, lossSum / plan.localSteps(), plan.localSteps());
  }

  /**
   * Runs {@code plan.localSteps()} steps of DP-SGD from {@code startWeights}; see {@link
   * DpSgdTrainer}. The plan's batch size is not used: each step samples its batch with {@code
   * dp.samplingRate()}.
   *
   * @param random the source of the batch sampling and the noise; must be cryptographically secure
   */
  public static TrainingResult train(
      double[] startWeights,
      double[][] x,
      int[] y,
      TrainingPlan plan,
      DpSgdSettings dp,
      SecureRandom random) {
    return DpSgdTrainer.train(startWeights, x, y, plan, dp, random);
  }

  /** A fresh uniformly random permutation, like torch.randperm at the start of each epoch. */
  private static void shuffle(int[] order, SplittableRandom random) {
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
  }
}
