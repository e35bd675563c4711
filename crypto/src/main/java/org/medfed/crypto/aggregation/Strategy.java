package org.medfed.crypto.aggregation;

import java.util.List;
import java.util.Objects;

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

  /** The strategy names {@link #of} accepts. */
  List<String> NAMES = List.of("fedavg", "fedprox", "fedadam", "fedyogi", "fedadagrad");

  /**
   * The named strategy with its parameters, as a study configures it and the exchange log records
   * it. Parameters the strategy does not use (beta1, beta2, tau for FedAvg; beta2 for FedAdagrad)
   * are still checked, so that a configuration stays valid when only its name is changed.
   *
   * @param name one of {@link #NAMES}
   * @param serverLearningRate η &gt; 0
   * @param beta1 in [0, 1)
   * @param beta2 in [0, 1)
   * @param tau &gt; 0
   * @param proximalMu ≥ 0; &gt; 0 for fedprox and 0 for fedavg
   * @throws IllegalArgumentException naming the first parameter out of its range
   */
  static Strategy of(
      String name,
      double serverLearningRate,
      double beta1,
      double beta2,
      double tau,
      double proximalMu) {
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
    return switch (name) {
      case "fedavg", "fedprox" -> new FedAvg(serverLearningRate, proximalMu);
      case "fedadam" -> new FedAdam(serverLearningRate, beta1, beta2, tau, proximalMu);
      case "fedyogi" -> new FedYogi(serverLearningRate, beta1, beta2, tau, proximalMu);
      case "fedadagrad" -> new FedAdagrad(serverLearningRate, beta1, tau, proximalMu);
      // NAMES admits only the names above.
      default -> throw new AssertionError("unknown strategy " + name);
    };
  }
}
