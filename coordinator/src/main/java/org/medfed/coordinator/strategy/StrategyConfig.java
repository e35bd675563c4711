package org.medfed.coordinator.strategy;

import java.util.List;
import java.util.Objects;

/**
 * A study's choice of server strategy, as written in its configuration. Parameters a strategy does
 * not use (beta1, beta2, tau for FedAvg; beta2 for FedAdagrad) are still checked so that a
 * configuration stays valid when only its name is changed.
 *
 * @param name one of {@link #NAMES}
 * @param serverLearningRate η &gt; 0
 * @param beta1 in [0, 1)
 * @param beta2 in [0, 1)
 * @param tau &gt; 0
 * @param proximalMu ≥ 0; &gt; 0 for fedprox and 0 for fedavg
 */
public record StrategyConfig(
    String name,
    double serverLearningRate,
    double beta1,
    double beta2,
    double tau,
    double proximalMu) {

  /** The strategy names {@link Strategy#create} accepts. */
  public static final List<String> NAMES =
      List.of("fedavg", "fedprox", "fedadam", "fedyogi", "fedadagrad");

  public StrategyConfig {
    Objects.requireNonNull(name, "name");
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException(
          "name '" + name + "' is not one of " + String.join(", ", NAMES));
    }
    Checks.positiveFinite("serverLearningRate", serverLearningRate);
    Checks.decayRate("beta1", beta1);
    Checks.decayRate("beta2", beta2);
    Checks.positiveFinite("tau", tau);
    Checks.nonNegativeFinite("proximalMu", proximalMu);
    // The name must say what the sites will do: FedAvg with a proximal term is FedProx.
    if (name.equals("fedprox") && proximalMu == 0) {
      throw new IllegalArgumentException("fedprox needs proximalMu > 0");
    }
    if (name.equals("fedavg") && proximalMu != 0) {
      throw new IllegalArgumentException(
          "fedavg needs proximalMu 0 (use fedprox for a proximal term), got " + proximalMu);
    }
  }
}
