package org.medfed.demo;

import java.util.List;

/**
 * FLamby's Fed-Heart-Disease hyper-parameters per strategy (flamby/config_heart_disease.json): 100
 * local SGD steps of batch 4 per round, β1 0.9, β2 0.999, τ 1e-8 for the adaptive ones.
 */
record StrategyPreset(
    String name, double localLearningRate, double serverLearningRate, double proximalMu) {

  static final List<String> NAMES =
      List.of("fedavg", "fedprox", "fedadam", "fedyogi", "fedadagrad");

  static StrategyPreset of(String name) {
    return switch (name) {
      case "fedavg" -> new StrategyPreset(name, 0.001, 1.0, 0);
      case "fedprox" -> new StrategyPreset(name, 0.001, 1.0, 0.01);
      case "fedadam" -> new StrategyPreset(name, 0.01, 0.01, 0);
      case "fedyogi" -> new StrategyPreset(name, 0.003162, 0.01, 0);
      case "fedadagrad" -> new StrategyPreset(name, 0.003162, 0.316228, 0);
      default -> throw new IllegalArgumentException("unknown strategy " + name);
    };
  }
}
