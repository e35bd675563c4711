package org.medfed.crypto.aggregation;

import static org.medfed.crypto.aggregation.Rounds.assertClose;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.medfed.crypto.aggregation.Rounds.Round;

class WeightedMeanPropertiesTest {

  private static final FedAvg FED_AVG = new FedAvg(1, 0);

  @Provide
  Arbitrary<Round> rounds() {
    return Rounds.rounds();
  }

  @Property
  void fedAvgOfIdenticalDeltasIsThatDelta(
      @ForAll @Size(min = 1, max = 6) List<@DoubleRange(min = -100, max = 100) Double> delta,
      @ForAll @Size(min = 1, max = 8) List<@LongRange(min = 1, max = 100_000) Long> counts) {
    double[] d = delta.stream().mapToDouble(Double::doubleValue).toArray();
    List<SiteUpdate> updates = new ArrayList<>();
    for (int i = 0; i < counts.size(); i++) {
      updates.add(new SiteUpdate("site-" + i, d, counts.get(i)));
    }

    AggregationResult result =
        FED_AVG.aggregate(new double[d.length], ServerState.empty(), updates);

    for (int j = 0; j < d.length; j++) {
      assertClose(d[j], result.meanDelta()[j], "mean delta");
      assertClose(d[j], result.newGlobal()[j], "new global");
    }
  }

  @Property
  void fedAvgIsInvariantUnderPermutationOfUpdates(
      @ForAll("rounds") Round round, @ForAll long shuffleSeed) {
    List<SiteUpdate> shuffled = new ArrayList<>(round.updates());
    Collections.shuffle(shuffled, new Random(shuffleSeed));

    double[] original =
        FED_AVG.aggregate(round.global(), ServerState.empty(), round.updates()).newGlobal();
    double[] permuted =
        FED_AVG.aggregate(round.global(), ServerState.empty(), shuffled).newGlobal();

    for (int j = 0; j < original.length; j++) {
      assertClose(original[j], permuted[j], "coordinate " + j);
    }
  }

  @Property
  void fedAvgMeanDeltaIsTheRecordWeightedMean(@ForAll("rounds") Round round) {
    // Σ n_i·Δ_i / Σ n_i, computed the textbook way.
    int dimension = round.global().length;
    double[] weightedSum = new double[dimension];
    double totalExamples = 0;
    for (SiteUpdate update : round.updates()) {
      totalExamples += update.numExamples();
      for (int j = 0; j < dimension; j++) {
        weightedSum[j] += update.numExamples() * update.delta()[j];
      }
    }

    AggregationResult result =
        FED_AVG.aggregate(round.global(), ServerState.empty(), round.updates());

    for (int j = 0; j < dimension; j++) {
      double expected = weightedSum[j] / totalExamples;
      assertClose(expected, result.meanDelta()[j], "mean delta");
      assertClose(round.global()[j] + expected, result.newGlobal()[j], "new global");
    }
  }

  @Property
  void fedAvgStepIsTheServerLearningRateTimesTheMeanDelta(
      @ForAll("rounds") Round round, @ForAll @DoubleRange(min = 0.01, max = 2) double eta) {
    AggregationResult plain =
        FED_AVG.aggregate(round.global(), ServerState.empty(), round.updates());
    AggregationResult scaled =
        new FedAvg(eta, 0).aggregate(round.global(), ServerState.empty(), round.updates());

    for (int j = 0; j < round.global().length; j++) {
      assertClose(
          round.global()[j] + eta * plain.meanDelta()[j], scaled.newGlobal()[j], "coordinate");
    }
  }

  @Provide
  Arbitrary<List<SiteUpdate>> unequalPair() {
    return Arbitraries.integers()
        .between(1, 6)
        .flatMap(
            d ->
                Combinators.combine(
                        Rounds.vectors(d),
                        Rounds.vectors(d),
                        Arbitraries.longs().between(1, 1000),
                        Arbitraries.longs().between(1, 1000))
                    .as(
                        (a, b, smaller, extra) ->
                            List.of(
                                new SiteUpdate("large", a, smaller + extra),
                                new SiteUpdate("small", b, smaller))));
  }

  @Property
  void siteWithMoreRecordsPullsTheMeanTowardsItsDelta(
      @ForAll("unequalPair") List<SiteUpdate> pair) {
    double[] large = pair.get(0).delta();
    double[] small = pair.get(1).delta();

    double[] mean =
        FED_AVG.aggregate(new double[large.length], ServerState.empty(), pair).meanDelta();

    for (int j = 0; j < mean.length; j++) {
      // With distinct deltas the larger site must be strictly closer: an unweighted mean would sit
      // exactly in between.
      if (Math.abs(large[j] - small[j]) < 1e-6) {
        continue;
      }
      if (!(Math.abs(mean[j] - large[j]) < Math.abs(mean[j] - small[j]))) {
        throw new AssertionError(
            "coordinate " + j + ": mean " + mean[j] + " is not closer to the larger site");
      }
    }
  }

  @Property
  void aggregateNeverMutatesItsInputs(@ForAll("rounds") Round round) {
    int dimension = round.global().length;
    List<Strategy> strategies =
        List.of(
            FED_AVG,
            new FedAdam(0.1, 0.9, 0.99, 1e-3, 0),
            new FedYogi(0.1, 0.9, 0.99, 1e-3, 0),
            new FedAdagrad(0.1, 0.9, 1e-3, 0));
    for (Strategy strategy : strategies) {
      double[] global = round.global().clone();
      List<SiteUpdate> updates = new ArrayList<>(round.updates());
      ServerState state =
          strategy.aggregate(global, strategy.initialState(dimension), updates).state();
      ServerState stateBefore =
          new ServerState(state.firstMoment(), state.secondMoment(), state.step());

      strategy.aggregate(global, state, updates);

      if (!Arrays.equals(round.global(), global)
          || !round.updates().equals(updates)
          || !stateBefore.equals(state)) {
        throw new AssertionError(strategy.name() + " mutated an input");
      }
    }
  }
}
