package org.medfed.crypto.aggregation;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;

class AdaptivePropertiesTest {

  private static final int DIMENSION = 3;

  /** Rounds of updates for a three-parameter model. */
  @Provide
  Arbitrary<List<List<SiteUpdate>>> history() {
    return Rounds.history(DIMENSION);
  }

  @Provide
  Arbitrary<Strategy> adaptive() {
    Arbitrary<Double> eta = Arbitraries.doubles().between(1e-3, 2).ofScale(8);
    Arbitrary<Double> beta1 = Arbitraries.doubles().between(0, 0.99).ofScale(4);
    Arbitrary<Double> beta2 = Arbitraries.doubles().between(0, 0.999).ofScale(4);
    Arbitrary<Double> tau = Arbitraries.doubles().between(1e-6, 1).ofScale(8);
    return Arbitraries.oneOf(
        Combinators.combine(eta, beta1, beta2, tau)
            .as((e, b1, b2, t) -> new FedAdam(e, b1, b2, t, 0)),
        Combinators.combine(eta, beta1, beta2, tau)
            .as((e, b1, b2, t) -> new FedYogi(e, b1, b2, t, 0)),
        Combinators.combine(eta, beta1, tau).as((e, b1, t) -> new FedAdagrad(e, b1, t, 0)));
  }

  @Property
  void fedAdagradNeverMovesACoordinateByMoreThanTheServerLearningRate(
      @ForAll("history") List<List<SiteUpdate>> history,
      @ForAll @DoubleRange(min = 1e-3, max = 2) @Scale(8) double eta,
      @ForAll @DoubleRange(min = 0, max = 0.99) double beta1,
      @ForAll @DoubleRange(min = 1e-6, max = 1) @Scale(8) double tau) {
    // v accumulates every past Δ², so √v ≥ |Δ_s| for each past round s, while |m| is a convex
    // combination of past |Δ_s| (plus a shrinking zero start): hence |η·m/(√v+τ)| < η.
    FedAdagrad adagrad = new FedAdagrad(eta, beta1, tau, 0);
    double[] global = new double[DIMENSION];
    ServerState state = adagrad.initialState(DIMENSION);
    for (List<SiteUpdate> round : history) {
      AggregationResult result = adagrad.aggregate(global, state, round);
      for (int j = 0; j < DIMENSION; j++) {
        double step = Math.abs(result.newGlobal()[j] - global[j]);
        if (!(step <= eta * (1 + 1e-9))) {
          throw new AssertionError("coordinate " + j + " moved " + step + " > η = " + eta);
        }
      }
      global = result.newGlobal();
      state = result.state();
    }
  }

  @Property
  void fedAdamStepIsBoundedByTheDecayRates(
      @ForAll("history") List<List<SiteUpdate>> history,
      @ForAll @DoubleRange(min = 1e-3, max = 2) @Scale(8) double eta,
      @ForAll @DoubleRange(min = 0, max = 0.9) double beta1,
      @ForAll @DoubleRange(min = 0.9, max = 0.999) @Scale(4) double beta2,
      @ForAll @DoubleRange(min = 1e-6, max = 1) @Scale(8) double tau) {
    // From m0 = v0 = 0: m_t = (1-β1)·Σ β1^k·Δ_{t-k} and v_t ≥ (1-β2)·β2^k·Δ²_{t-k} for every k,
    // so |m_t|/√v_t ≤ (1-β1) / (√(1-β2)·(1 - β1/√β2)) whenever β1 < √β2.
    double bound = eta * (1 - beta1) / (Math.sqrt(1 - beta2) * (1 - beta1 / Math.sqrt(beta2)));
    FedAdam adam = new FedAdam(eta, beta1, beta2, tau, 0);
    double[] global = new double[DIMENSION];
    ServerState state = adam.initialState(DIMENSION);
    for (List<SiteUpdate> round : history) {
      AggregationResult result = adam.aggregate(global, state, round);
      for (int j = 0; j < DIMENSION; j++) {
        double step = Math.abs(result.newGlobal()[j] - global[j]);
        if (!(step <= bound * (1 + 1e-9))) {
          throw new AssertionError("coordinate " + j + " moved " + step + " > " + bound);
        }
      }
      global = result.newGlobal();
      state = result.state();
    }
  }

  @Property
  void adaptiveStepFollowsTheSignOfTheFirstMoment(
      @ForAll("adaptive") Strategy strategy, @ForAll("history") List<List<SiteUpdate>> history) {
    double[] global = new double[DIMENSION];
    ServerState state = strategy.initialState(DIMENSION);
    for (List<SiteUpdate> round : history) {
      AggregationResult result = strategy.aggregate(global, state, round);
      double[] m = result.state().firstMoment();
      for (int j = 0; j < DIMENSION; j++) {
        if ((result.newGlobal()[j] - global[j]) * m[j] < 0) {
          throw new AssertionError(strategy.name() + " moved coordinate " + j + " against m");
        }
      }
      global = result.newGlobal();
      state = result.state();
    }
  }

  @Property
  void resumingFromTheStatesComponentsGivesTheSameModel(
      @ForAll("adaptive") Strategy strategy,
      @ForAll("history") List<List<SiteUpdate>> history,
      @ForAll @IntRange(min = 0, max = 5) int checkpointAfter) {
    double[] straight = new double[DIMENSION];
    ServerState straightState = strategy.initialState(DIMENSION);
    double[] resumed = new double[DIMENSION];
    ServerState resumedState = strategy.initialState(DIMENSION);
    for (int r = 0; r < history.size(); r++) {
      AggregationResult a = strategy.aggregate(straight, straightState, history.get(r));
      straight = a.newGlobal();
      straightState = a.state();

      AggregationResult b = strategy.aggregate(resumed, resumedState, history.get(r));
      resumed = b.newGlobal();
      resumedState = b.state();
      if (r == checkpointAfter) {
        // What a restart or an auditor's replay does: rebuild the state from its recorded parts.
        resumedState =
            new ServerState(
                resumedState.firstMoment(), resumedState.secondMoment(), resumedState.step());
        resumed = resumed.clone();
      }
    }
    if (!straightState.equals(resumedState) || !Arrays.equals(straight, resumed)) {
      throw new AssertionError("resumed run diverged: " + straightState + " vs " + resumedState);
    }
  }
}
