package org.medfed.crypto.aggregation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One and two rounds of each strategy against numbers worked out by hand. The inputs are chosen so
 * that every square root is exact.
 *
 * <p>Round 1 for FedAvg, FedAdam and FedAdagrad: site a (1 record, Δ = [-4, 10]) and site b (3
 * records, Δ = [12, -6]) give the weighted mean Δ1 = ¼·a + ¾·b = [-1 + 9, 2.5 - 4.5] = [8, -2] (the
 * unweighted mean would be [4, 2]). All start from x0 = [1, -1].
 */
class HandComputedAggregationTest {

  private static final double EXACT = 1e-12;
  private static final double[] X0 = {1, -1};
  private static final List<SiteUpdate> ROUND_ONE =
      List.of(
          new SiteUpdate("a", new double[] {-4, 10}, 1),
          new SiteUpdate("b", new double[] {12, -6}, 3));

  @Test
  void fedAvgMovesByTheExampleWeightedMeanDelta() {
    AggregationResult result = new FedAvg(1.0, 0).aggregate(X0, ServerState.empty(), ROUND_ONE);

    assertArrayEquals(new double[] {8, -2}, result.meanDelta(), EXACT);
    assertArrayEquals(new double[] {9, -3}, result.newGlobal(), EXACT);
    assertEquals(new ServerState(new double[0], new double[0], 1), result.state());
  }

  @Test
  void fedAvgScalesTheMeanDeltaByTheServerLearningRate() {
    // x = [1, -1] + 0.5·[8, -2] = [5, -2]
    AggregationResult result = new FedAvg(0.5, 0).aggregate(X0, ServerState.empty(), ROUND_ONE);

    assertArrayEquals(new double[] {5, -2}, result.newGlobal(), EXACT);
  }

  @Test
  void fedAdamMatchesTwoRoundsComputedByHand() {
    // η = 0.5, β1 = 0.5, β2 = 0.75, τ = 1; m0 = v0 = [0, 0].
    // Round 1, Δ1 = [8, -2]: m1 = 0.5·Δ1 = [4, -1]; v1 = 0.25·Δ1² = [16, 1];
    //   x1 = x0 + 0.5·[4/(4+1), -1/(1+1)] = [1 + 0.4, -1 - 0.25] = [1.4, -1.25].
    // Round 2, Δ2 = [-1, 1]: m2 = 0.5·m1 + 0.5·Δ2 = [1.5, 0];
    //   v2 = 0.75·v1 + 0.25·Δ2² = [12 + 0.25, 0.75 + 0.25] = [12.25, 1];
    //   x2 = x1 + 0.5·[1.5/(3.5+1), 0/(1+1)] = [1.4 + 1/6, -1.25].
    Strategy adam = new FedAdam(0.5, 0.5, 0.75, 1, 0);

    AggregationResult first = adam.aggregate(X0, adam.initialState(2), ROUND_ONE);
    assertArrayEquals(new double[] {1.4, -1.25}, first.newGlobal(), EXACT);
    assertArrayEquals(new double[] {4, -1}, first.state().firstMoment(), EXACT);
    assertArrayEquals(new double[] {16, 1}, first.state().secondMoment(), EXACT);

    AggregationResult second =
        adam.aggregate(
            first.newGlobal(),
            first.state(),
            List.of(new SiteUpdate("c", new double[] {-1, 1}, 7)));
    assertArrayEquals(new double[] {1.4 + 1.0 / 6, -1.25}, second.newGlobal(), EXACT);
    assertArrayEquals(new double[] {1.5, 0}, second.state().firstMoment(), EXACT);
    assertArrayEquals(new double[] {12.25, 1}, second.state().secondMoment(), EXACT);
    assertEquals(2, second.state().step());
  }

  @Test
  void fedAdagradMatchesTwoRoundsComputedByHand() {
    // η = 0.5, β1 = 0.5, τ = 1; m0 = v0 = [0, 0].
    // Round 1, Δ1 = [8, -2]: m1 = [4, -1]; v1 = Δ1² = [64, 4];
    //   x1 = x0 + 0.5·[4/(8+1), -1/(2+1)] = [1 + 2/9, -1 - 1/6].
    // Round 2, Δ2 = [6, 1.5]: m2 = [2 + 3, -0.5 + 0.75] = [5, 0.25];
    //   v2 = v1 + Δ2² = [100, 6.25];
    //   x2 = x1 + 0.5·[5/(10+1), 0.25/(2.5+1)] = x1 + [5/22, 1/28].
    Strategy adagrad = new FedAdagrad(0.5, 0.5, 1, 0);

    AggregationResult first = adagrad.aggregate(X0, adagrad.initialState(2), ROUND_ONE);
    assertArrayEquals(new double[] {1 + 2.0 / 9, -1 - 1.0 / 6}, first.newGlobal(), EXACT);
    assertArrayEquals(new double[] {64, 4}, first.state().secondMoment(), EXACT);

    AggregationResult second =
        adagrad.aggregate(
            first.newGlobal(),
            first.state(),
            List.of(new SiteUpdate("c", new double[] {6, 1.5}, 7)));
    assertArrayEquals(
        new double[] {1 + 2.0 / 9 + 5.0 / 22, -1 - 1.0 / 6 + 1.0 / 28}, second.newGlobal(), EXACT);
    assertArrayEquals(new double[] {5, 0.25}, second.state().firstMoment(), EXACT);
    assertArrayEquals(new double[] {100, 6.25}, second.state().secondMoment(), EXACT);
  }

  @Test
  void fedYogiMatchesTwoRoundsComputedByHand() {
    // η = 0.5, β1 = 0.5, β2 = 0.75, τ = 13; m0 = [0, 0], v0 = τ² = [169, 169].
    // Round 1: a (1 record, [0, 40]) and b (3 records, [224, 0]) give Δ1 = [168, 10].
    //   m1 = [84, 5]. Δ1² = [28224, 100]; sign(v0 - Δ1²) = [-1, +1], so
    //   v1 = [169 + 0.25·28224, 169 - 0.25·100] = [7225, 144] = [85², 12²];
    //   x1 = x0 + 0.5·[84/(85+13), 5/(12+13)] = [1 + 3/7, -1 + 0.1].
    // Round 2, Δ2 = [72, 18]: m2 = [42 + 36, 2.5 + 9] = [78, 11.5].
    //   Δ2² = [5184, 324]; sign(v1 - Δ2²) = [+1, -1], so
    //   v2 = [7225 - 1296, 144 + 81] = [5929, 225] = [77², 15²];
    //   x2 = x1 + 0.5·[78/(77+13), 11.5/(15+13)] = x1 + [13/30, 23/112].
    Strategy yogi = new FedYogi(0.5, 0.5, 0.75, 13, 0);
    ServerState initial = yogi.initialState(2);
    assertArrayEquals(new double[] {169, 169}, initial.secondMoment(), EXACT);

    AggregationResult first =
        yogi.aggregate(
            X0,
            initial,
            List.of(
                new SiteUpdate("a", new double[] {0, 40}, 1),
                new SiteUpdate("b", new double[] {224, 0}, 3)));
    assertArrayEquals(new double[] {1 + 3.0 / 7, -0.9}, first.newGlobal(), EXACT);
    assertArrayEquals(new double[] {84, 5}, first.state().firstMoment(), EXACT);
    assertArrayEquals(new double[] {7225, 144}, first.state().secondMoment(), EXACT);

    AggregationResult second =
        yogi.aggregate(
            first.newGlobal(),
            first.state(),
            List.of(new SiteUpdate("c", new double[] {72, 18}, 2)));
    assertArrayEquals(
        new double[] {1 + 3.0 / 7 + 13.0 / 30, -0.9 + 23.0 / 112}, second.newGlobal(), EXACT);
    assertArrayEquals(new double[] {78, 11.5}, second.state().firstMoment(), EXACT);
    assertArrayEquals(new double[] {5929, 225}, second.state().secondMoment(), EXACT);
  }
}
