package org.medfed.crypto.aggregation;

import java.util.List;
import java.util.Objects;

/**
 * Federated averaging (McMahan et al. 2017): x ← x + η·Δ, with Δ the example-weighted mean delta.
 * With η = 1 this is plain FedAvg; with μ &gt; 0 the sites train with FedProx's proximal term.
 *
 * @param serverLearningRate η &gt; 0
 * @param proximalMu μ ≥ 0
 */
public record FedAvg(double serverLearningRate, double proximalMu) implements Strategy {

  public FedAvg {
    Checks.positiveFinite("serverLearningRate", serverLearningRate);
    Checks.nonNegativeFinite("proximalMu", proximalMu);
  }

  @Override
  public String name() {
    return proximalMu > 0 ? "fedprox" : "fedavg";
  }

  @Override
  public ServerState initialState(int dimension) {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
    }
    return ServerState.empty();
  }

  @Override
  public AggregationResult aggregate(double[] global, ServerState state, List<SiteUpdate> updates) {
    Objects.requireNonNull(state, "state");
    double[] delta = Aggregation.weightedMeanDelta(global, updates);
    // Moments here mean the caller resumed another strategy's checkpoint: refuse to drop them.
    if (state.firstMoment().length != 0) {
      throw new IllegalArgumentException(
          name()
              + " keeps no moments but the server state has "
              + state.firstMoment().length
              + " coordinates");
    }
    double[] x = global.clone();
    for (int j = 0; j < x.length; j++) {
      x[j] += serverLearningRate * delta[j];
    }
    Aggregation.requireFinite(name(), x);
    return new AggregationResult(
        x, new ServerState(new double[0], new double[0], state.step() + 1), delta);
  }
}
