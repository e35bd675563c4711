package org.medfed.coordinator.strategy;

import java.util.List;
import org.medfed.crypto.aggregation.Strategy;

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

  /** The strategy names the configuration accepts. */
  public static final List<String> NAMES = Strategy.NAMES;

  public StrategyConfig {
    // Validated by the one place that knows the strategies, with messages naming the value.
    Strategy.of(name, serverLearningRate, beta1, beta2, tau, proximalMu);
  }

  /** The strategy this configuration names, with its parameters. */
  public Strategy strategy() {
    return Strategy.of(name, serverLearningRate, beta1, beta2, tau, proximalMu);
  }
}
