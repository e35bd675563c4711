package org.medfed.crypto.aggregation;

import java.util.List;

/**
 * FedAdagrad (Reddi et al. 2021): v ← v + Δ², starting from m = 0, v = 0. There is no β2: v
 * accumulates every round's squared delta.
 *
 * @param serverLearningRate η &gt; 0
 * @param beta1 first-moment decay in [0, 1)
 * @param tau τ &gt; 0, the adaptivity floor in the denominator √v + τ
 * @param proximalMu FedProx μ ≥ 0 for the sites
 */
public record FedAdagrad(double serverLearningRate, double beta1, double tau, double proximalMu)
    implements Strategy {

  public FedAdagrad {
    Checks.positiveFinite("serverLearningRate", serverLearningRate);
    Checks.decayRate("beta1", beta1);
    Checks.positiveFinite("tau", tau);
    Checks.nonNegativeFinite("proximalMu", proximalMu);
  }

  @Override
  public String name() {
    return "fedadagrad";
  }

  @Override
  public ServerState initialState(int dimension) {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
    }
    return new ServerState(new double[dimension], new double[dimension], 0);
  }

  @Override
  public AggregationResult aggregate(double[] global, ServerState state, List<SiteUpdate> updates) {
    return Aggregation.adaptiveStep(
        name(), global, state, updates, serverLearningRate, beta1, tau, (v, d) -> v + d * d);
  }
}
