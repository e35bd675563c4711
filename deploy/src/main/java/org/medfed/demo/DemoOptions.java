package org.medfed.demo;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/** The demo's command line. */
record DemoOptions(
    Path repository,
    Optional<Path> report,
    String strategy,
    int rounds,
    long seed,
    Optional<Path> workdir,
    OptionalDouble dpEpsilon,
    boolean secureAggregation,
    boolean dpDistributed) {

  /** Without distributed noise. */
  DemoOptions(
      Path repository,
      Optional<Path> report,
      String strategy,
      int rounds,
      long seed,
      Optional<Path> workdir,
      OptionalDouble dpEpsilon,
      boolean secureAggregation) {
    this(repository, report, strategy, rounds, seed, workdir, dpEpsilon, secureAggregation, false);
  }

  static final String USAGE =
      """
      usage: deploy/local/demo.sh [--report FILE] [--strategy S] [--rounds N] [--seed N]
                                  [--workdir DIR] [--dp-epsilon E] [--dp-distributed]
                                  [--no-secure-aggregation]
        --strategy   fedavg, fedprox, fedadam (default), fedyogi or fedadagrad, each with
                     FLamby's Fed-Heart-Disease hyper-parameters
        --rounds     federated rounds (default 15, as FLamby)
        --seed       study seed: initial model and batch order (default 42)
        --workdir    keep the consortium's files (PKI, logs, checkpoints) here instead of a
                     temporary folder that is removed after a successful run
        --dp-epsilon train with record-level DP-SGD: every site caps its privacy loss at
                     (E, 1e-5) and the study's noise is set to spend at most E
        --dp-distributed
                     with --dp-epsilon: no site adds its full noise; each adds a share of
                     discrete Gaussian noise to the integers it masks, so only the sum
                     carries it (FedSGD: one clipped gradient sum per round; default
                     60 rounds, fedavg, learning rate 0.5, sampling rate 0.2)
        --no-secure-aggregation
                     sites send plaintext updates (for comparison); by default the
                     coordinator receives only masked updates and learns their sum""";

  static DemoOptions parse(List<String> args) {
    Path repository = null;
    Path report = null;
    String strategy = null;
    Integer rounds = null;
    boolean dpDistributed = false;
    long seed = 42;
    Path workdir = null;
    OptionalDouble dpEpsilon = OptionalDouble.empty();
    boolean secureAggregation = true;
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      if (flag.equals("--help") || flag.equals("-h")) {
        throw new UsageException("");
      }
      if (flag.equals("--no-secure-aggregation")) {
        secureAggregation = false;
        continue;
      }
      if (flag.equals("--dp-distributed")) {
        dpDistributed = true;
        continue;
      }
      if (i + 1 >= args.size()) {
        throw new UsageException(flag + " needs a value");
      }
      String value = args.get(++i);
      switch (flag) {
        case "--repository" -> repository = Path.of(value);
        case "--report" -> report = Path.of(value);
        case "--strategy" -> strategy = value;
        case "--rounds" -> rounds = positive(flag, value);
        case "--seed" -> seed = Long.parseLong(value);
        case "--workdir" -> workdir = Path.of(value);
        case "--dp-epsilon" -> dpEpsilon = OptionalDouble.of(positiveNumber(flag, value));
        default -> throw new UsageException("unknown option " + flag);
      }
    }
    if (dpDistributed && dpEpsilon.isEmpty()) {
      throw new UsageException("--dp-distributed needs --dp-epsilon E");
    }
    if (dpDistributed && !secureAggregation) {
      throw new UsageException(
          "--dp-distributed needs secure aggregation: each site adds only part of the noise");
    }
    if (strategy == null) {
      strategy = dpDistributed ? DpDefaults.DISTRIBUTED_STRATEGY : "fedadam";
    }
    if (rounds == null) {
      rounds = dpDistributed ? DpDefaults.DISTRIBUTED_ROUNDS : 15;
    }
    if (!StrategyPreset.NAMES.contains(strategy)) {
      throw new UsageException(
          "--strategy " + strategy + " is not one of " + String.join(", ", StrategyPreset.NAMES));
    }
    if (repository == null) {
      throw new UsageException("--repository is required (demo.sh passes it)");
    }
    return new DemoOptions(
        repository.toAbsolutePath(),
        Optional.ofNullable(report),
        strategy,
        rounds,
        seed,
        Optional.ofNullable(workdir),
        dpEpsilon,
        secureAggregation,
        dpDistributed);
  }

  private static double positiveNumber(String flag, String value) {
    try {
      double parsed = Double.parseDouble(value);
      if (parsed > 0 && Double.isFinite(parsed)) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // falls through to the usage error
    }
    throw new UsageException(flag + " must be a positive number, got " + value);
  }

  private static int positive(String flag, String value) {
    try {
      int parsed = Integer.parseInt(value);
      if (parsed >= 1) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // falls through to the usage error
    }
    throw new UsageException(flag + " must be a positive whole number, got " + value);
  }

  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
