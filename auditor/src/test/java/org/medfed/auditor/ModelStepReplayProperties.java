package org.medfed.auditor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import org.medfed.proto.v1.StrategyParameters;

/**
 * Replaying the logged strategy from the retained initial model and the recomputed aggregates
 * reproduces every model digest a coordinator logs, for every strategy and any run of completed and
 * failed rounds; and a coordinator that stepped with another learning rate than it logged is caught
 * at its first completed round.
 */
class ModelStepReplayProperties {
  private static final int DIMENSION = 4;

  /** A round: null when it failed, else its aggregate. */
  @Provide
  Arbitrary<List<double[]>> rounds() {
    Arbitrary<double[]> aggregate =
        Arbitraries.doubles()
            .between(0.01, 1)
            .map(d -> d)
            .list()
            .ofSize(DIMENSION)
            .map(list -> list.stream().mapToDouble(Double::doubleValue).toArray());
    Arbitrary<double[]> signed =
        Combinators.combine(aggregate, Arbitraries.integers().between(0, 15))
            .as(
                (values, signs) -> {
                  double[] out = values.clone();
                  for (int j = 0; j < out.length; j++) {
                    out[j] = ((signs >> j) & 1) == 1 ? -out[j] : out[j];
                  }
                  return out;
                });
    return signed.injectNull(0.2).list().ofMinSize(1).ofMaxSize(6);
  }

  @Provide
  Arbitrary<StrategyParameters> parameters() {
    Arbitrary<String> name =
        Arbitraries.of("fedavg", "fedprox", "fedadam", "fedyogi", "fedadagrad");
    Arbitrary<Double> eta = Arbitraries.doubles().between(0.1, 1).ofScale(6);
    Arbitrary<Double> beta1 = Arbitraries.doubles().between(0, 0.99).ofScale(4);
    Arbitrary<Double> beta2 = Arbitraries.doubles().between(0, 0.999).ofScale(4);
    Arbitrary<Double> tau = Arbitraries.doubles().between(1e-6, 1).ofScale(8);
    return Combinators.combine(name, eta, beta1, beta2, tau)
        .as(
            (n, e, b1, b2, t) ->
                ModelSteps.parameters(n, e, b1, b2, t, n.equals("fedprox") ? 0.01 : 0));
  }

  @Provide
  Arbitrary<double[]> initial() {
    return Arbitraries.doubles()
        .between(-1, 1)
        .list()
        .ofSize(DIMENSION)
        .map(list -> list.stream().mapToDouble(Double::doubleValue).toArray());
  }

  @Property(tries = 300)
  void replayingTheLoggedStrategyReproducesEveryLoggedModelDigest(
      @ForAll("parameters") StrategyParameters parameters,
      @ForAll("initial") double[] initial,
      @ForAll("rounds") List<double[]> rounds) {
    withTempDirectory(
        temp -> {
          ModelSteps study =
              new ModelSteps(temp, parameters, ModelSteps.strategy(parameters), initial);
          long completed = 0;
          for (double[] aggregate : rounds) {
            if (aggregate == null) {
              study.failed();
            } else {
              study.completed(aggregate);
              completed++;
            }
          }
          CheckResult result = study.audit();
          if (result.status() != CheckStatus.PASSED
              || !result.summary().startsWith(completed + " new global models replayed")) {
            throw new AssertionError(result.summary() + " " + result.failures());
          }
        });
  }

  @Property(tries = 300)
  void aCoordinatorThatSteppedWithAnotherLearningRateIsCaughtAtItsFirstCompletedRound(
      @ForAll("parameters") StrategyParameters parameters,
      @ForAll("initial") double[] initial,
      @ForAll("rounds") List<double[]> rounds,
      @ForAll @DoubleRange(min = 1.5, max = 3) double factor) {
    StrategyParameters used =
        parameters.toBuilder()
            .setServerLearningRate(parameters.getServerLearningRate() * factor)
            .build();
    withTempDirectory(
        temp -> {
          ModelSteps study = new ModelSteps(temp, parameters, ModelSteps.strategy(used), initial);
          Long first = null;
          for (double[] aggregate : rounds) {
            if (aggregate == null) {
              study.failed();
            } else {
              long closed = study.completed(aggregate);
              first = first == null ? closed : first;
            }
          }
          CheckResult result = study.audit();
          if (first == null) {
            if (result.status() != CheckStatus.PASSED) {
              throw new AssertionError("no completed round, yet " + result.failures());
            }
            return;
          }
          if (result.failures().size() != 1
              || !first.equals(result.failures().getFirst().entryIndex())) {
            throw new AssertionError(
                "expected one failure at entry " + first + ", got " + result.failures());
          }
        });
  }

  private interface InDirectory {
    void run(Path directory);
  }

  // jqwik runs no JUnit extensions, so @TempDir does not apply to a property's tries.
  private static void withTempDirectory(InDirectory body) {
    Path directory;
    try {
      directory = Files.createTempDirectory("model-step");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      body.run(directory);
    } finally {
      try (Stream<Path> files = Files.walk(directory)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
