package org.medfed.crypto.aggregation;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** The pure maths shared by the strategies. Nothing here mutates its arguments. */
final class Aggregation {
  private Aggregation() {}

  /** How an adaptive optimiser moves its second moment v given one coordinate of the mean delta. */
  @FunctionalInterface
  interface SecondMomentRule {
    double next(double v, double delta);
  }

  /**
   * Checks a round's inputs and returns Δ = Σ n_i Δ_i / Σ n_i, the mean of the deltas weighted by
   * each site's record count (as FedAvg and FLamby weight them).
   */
  static double[] weightedMeanDelta(double[] global, List<SiteUpdate> updates) {
    Objects.requireNonNull(global, "global");
    Objects.requireNonNull(updates, "updates");
    if (updates.isEmpty()) {
      throw new IllegalArgumentException("cannot aggregate a round without updates");
    }
    for (int i = 0; i < global.length; i++) {
      if (!Double.isFinite(global[i])) {
        throw new IllegalArgumentException("global[" + i + "] is " + global[i]);
      }
    }
    Set<String> seen = new HashSet<>();
    double totalExamples = 0;
    for (SiteUpdate update : updates) {
      Objects.requireNonNull(update, "updates must not contain null");
      int length = update.delta().length;
      if (length != global.length) {
        throw new IllegalArgumentException(
            "site '"
                + update.siteId()
                + "' sent a delta of length "
                + length
                + " but the global model has length "
                + global.length);
      }
      // Two updates from one site would count its records twice.
      if (!seen.add(update.siteId())) {
        throw new IllegalArgumentException(
            "site '" + update.siteId() + "' sent more than one update in the round");
      }
      totalExamples += update.numExamples();
    }
    double[] mean = new double[global.length];
    for (SiteUpdate update : updates) {
      // Weights below 1 keep every partial sum within the deltas' range, so it cannot overflow.
      double weight = update.numExamples() / totalExamples;
      double[] delta = update.delta();
      for (int j = 0; j < mean.length; j++) {
        mean[j] += weight * delta[j];
      }
    }
    return mean;
  }

  /**
   * One step of an adaptive server optimiser (Reddi et al. 2021, Algorithm 2, without bias
   * correction, as Flower implements it): m ← β1·m + (1−β1)·Δ, v ← rule(v, Δ), x ← x + η·m/(√v+τ).
   */
  static AggregationResult adaptiveStep(
      String strategy,
      double[] global,
      ServerState state,
      List<SiteUpdate> updates,
      double serverLearningRate,
      double beta1,
      double tau,
      SecondMomentRule rule) {
    Objects.requireNonNull(state, "state");
    double[] delta = weightedMeanDelta(global, updates);
    double[] m = state.firstMoment();
    double[] v = state.secondMoment();
    if (m.length != global.length) {
      throw new IllegalArgumentException(
          strategy
              + " server state has "
              + m.length
              + " coordinates but the global model has "
              + global.length
              + "; start from initialState("
              + global.length
              + ")");
    }
    double[] x = global.clone();
    for (int j = 0; j < x.length; j++) {
      m[j] = beta1 * m[j] + (1 - beta1) * delta[j];
      v[j] = rule.next(v[j], delta[j]);
      x[j] += serverLearningRate * m[j] / (Math.sqrt(v[j]) + tau);
    }
    requireFinite(strategy, x, v);
    return new AggregationResult(x, new ServerState(m, v, state.step() + 1), delta);
  }

  static void requireFinite(String strategy, double[]... vectors) {
    for (double[] vector : vectors) {
      for (int j = 0; j < vector.length; j++) {
        if (!Double.isFinite(vector[j])) {
          throw new ArithmeticException(
              strategy + " aggregation overflowed at coordinate " + j + "; deltas are too large");
        }
      }
    }
  }
}
