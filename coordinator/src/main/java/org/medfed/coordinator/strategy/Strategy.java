package org.medfed.coordinator.strategy;

import java.util.List;

/**
 * How the coordinator turns one round's site updates into the next global model.
 *
 * <p>Implementations are immutable values and {@link #aggregate} is a pure function: it never
 * mutates its inputs, and everything it carries between rounds is in the returned {@link
 * ServerState}, so a checkpointed state resumes the optimiser exactly.
 */
public sealed interface Strategy permits FedAvg, FedAdam, FedYogi, FedAdagrad {

  /** The configuration name: fedavg, fedprox, fedadam, fedyogi or fedadagrad. */
  String name();

  /** The weight μ of FedProx's proximal term that sites add to their local loss; 0 for none. */
  double proximalMu();

  /** The state before the first round of a model with {@code dimension} parameters. */
  ServerState initialState(int dimension);

  /**
   * Aggregates one round.
   *
   * @param global the global weights the sites started from
   * @param state the state returned by the previous round, or {@link #initialState}
   * @param updates at least one update, one per site, each as long as {@code global}
   * @throws IllegalArgumentException if there are no updates, a delta's length differs from the
   *     model's, a site appears twice, or the state does not belong to this model
   * @throws ArithmeticException if the new weights overflow
   */
  AggregationResult aggregate(double[] global, ServerState state, List<SiteUpdate> updates);

  /** The strategy a study's configuration names. */
  static Strategy create(StrategyConfig config) {
    return switch (config.name()) {
      case "fedavg", "fedprox" -> new FedAvg(config.serverLearningRate(), config.proximalMu());
      case "fedadam" ->
          new FedAdam(
              config.serverLearningRate(),
              config.beta1(),
              config.beta2(),
              config.tau(),
              config.proximalMu());
      case "fedyogi" ->
          new FedYogi(
              config.serverLearningRate(),
              config.beta1(),
              config.beta2(),
              config.tau(),
              config.proximalMu());
      case "fedadagrad" ->
          new FedAdagrad(
              config.serverLearningRate(), config.beta1(), config.tau(), config.proximalMu());
      // StrategyConfig admits only the names above.
      default -> throw new AssertionError("unknown strategy " + config.name());
    };
  }
}
