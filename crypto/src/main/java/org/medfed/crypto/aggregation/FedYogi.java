package org.medfed.crypto.aggregation;

import java.util.Arrays;
import java.util.List;

/**
 * FedYogi (Reddi et al. 2021): v ← v − (1−β2)·Δ²·sign(v − Δ²), starting from m = 0 and v = τ² as in
 * the paper. Unlike Adam, v moves towards Δ² by an amount that does not grow with v, so a large v
 * does not forget a sudden small gradient too fast.
 *
 * @param serverLearningRate η &gt; 0
 * @param beta1 first-moment decay in [0, 1)
 * @param beta2 second-moment rate in [0, 1)
 * @param tau τ &gt; 0, the adaptivity floor in the denominator √v + τ
 * @param proximalMu FedProx μ ≥ 0 for the sites
 */
public record FedYogi(
    double serverLearningRate, double beta1, double beta2, double tau, double proximalMu)
    implements Strategy {

  public FedYogi {
    Checks.positiveFinite("serverLearningRate", serverLearningRate);
    Checks.decayRate("beta1", beta1);
    Checks.decayRate("beta2", beta2);
    Checks.positiveFinite("tau", tau);
    Checks.nonNegativeFinite("proximalMu", proximalMu);
  }

  @Override
  public String name() {
    return "fedyogi";
  }

  @Override
  public ServerState initialState(int dimension) {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
    }
    double[] v = new double[dimension];
    Arrays.fill(v, tau * tau);
    return new ServerState(new double[dimension], v, 0);
  }

  @Override
  public AggregationResult aggregate(double[] global, ServerState state, List<SiteUpdate> updates) {
    return Aggregation.adaptiveStep(
        name(),
        global,
        state,
        updates,
        serverLearningRate,
        beta1,
        tau,
        (v, d) -> v - (1 - beta2) * d * d * Math.signum(v - d * d));
  }
}
