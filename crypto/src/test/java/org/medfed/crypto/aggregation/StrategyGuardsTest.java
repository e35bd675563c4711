package org.medfed.crypto.aggregation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StrategyGuardsTest {

  private static final List<Strategy> ALL =
      List.of(
          new FedAvg(1, 0),
          new FedAdam(0.1, 0.9, 0.99, 1e-3, 0),
          new FedYogi(0.1, 0.9, 0.99, 1e-3, 0),
          new FedAdagrad(0.1, 0.9, 1e-3, 0));

  @Test
  void aggregatingNoUpdatesIsRejected() {
    for (Strategy strategy : ALL) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> strategy.aggregate(new double[2], strategy.initialState(2), List.of()));
      assertTrue(e.getMessage().contains("without updates"), e.getMessage());
    }
  }

  @Test
  void deltaOfTheWrongLengthIsRejectedNamingTheSiteAndBothLengths() {
    for (Strategy strategy : ALL) {
      List<SiteUpdate> updates =
          List.of(
              new SiteUpdate("cleveland", new double[] {1, 2}, 5),
              new SiteUpdate("hungary", new double[] {1, 2, 3}, 5));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> strategy.aggregate(new double[2], strategy.initialState(2), updates));
      assertEquals(
          "site 'hungary' sent a delta of length 3 but the global model has length 2",
          e.getMessage());
    }
  }

  @Test
  void nonFiniteDeltaIsRejectedNamingTheSite() {
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> new SiteUpdate("switzerland", new double[] {0, bad}, 3));
      assertTrue(e.getMessage().startsWith("site 'switzerland': delta[1] is "), e.getMessage());
    }
  }

  @Test
  void siteUpdateWithoutExamplesIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new SiteUpdate("a", new double[1], 0));
  }

  @Test
  void twoUpdatesFromOneSiteAreRejected() {
    List<SiteUpdate> updates =
        List.of(new SiteUpdate("a", new double[1], 1), new SiteUpdate("a", new double[1], 1));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new FedAvg(1, 0).aggregate(new double[1], ServerState.empty(), updates));
    assertTrue(e.getMessage().contains("'a'"), e.getMessage());
  }

  @Test
  void nonFiniteGlobalWeightsAreRejected() {
    List<SiteUpdate> updates = List.of(new SiteUpdate("a", new double[1], 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new FedAvg(1, 0).aggregate(new double[] {Double.NaN}, ServerState.empty(), updates));
  }

  @Test
  void adaptiveStrategyRejectsStateOfAnotherDimension() {
    Strategy adam = new FedAdam(0.1, 0.9, 0.99, 1e-3, 0);
    List<SiteUpdate> updates = List.of(new SiteUpdate("a", new double[3], 1));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> adam.aggregate(new double[3], ServerState.empty(), updates));
    assertTrue(e.getMessage().contains("initialState(3)"), e.getMessage());
  }

  @Test
  void fedAvgRefusesTheMomentsOfAnAdaptiveCheckpoint() {
    List<SiteUpdate> updates = List.of(new SiteUpdate("a", new double[2], 1));
    ServerState adamState = new FedAdam(0.1, 0.9, 0.99, 1e-3, 0).initialState(2);
    assertThrows(
        IllegalArgumentException.class,
        () -> new FedAvg(1, 0).aggregate(new double[2], adamState, updates));
  }

  @Test
  void overflowingAggregationIsReportedNotReturned() {
    List<SiteUpdate> updates = List.of(new SiteUpdate("a", new double[] {Double.MAX_VALUE}, 1));
    assertThrows(
        ArithmeticException.class,
        () ->
            new FedAvg(1, 0)
                .aggregate(new double[] {Double.MAX_VALUE}, ServerState.empty(), updates));
  }

  @Test
  void strategyParametersOutsideTheirRangesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new FedAvg(0, 0));
    assertThrows(IllegalArgumentException.class, () -> new FedAvg(1, -0.1));
    assertThrows(IllegalArgumentException.class, () -> new FedAdam(0.1, 1.0, 0.99, 1e-3, 0));
    assertThrows(IllegalArgumentException.class, () -> new FedAdam(0.1, 0.9, -0.1, 1e-3, 0));
    assertThrows(IllegalArgumentException.class, () -> new FedYogi(0.1, 0.9, 0.99, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new FedAdagrad(Double.NaN, 0.9, 1e-3, 0));
  }

  @Test
  void ofBuildsTheNamedStrategyWithItsParameters() {
    assertEquals(new FedAvg(1, 0), Strategy.of("fedavg", 1, 0.9, 0.99, 1e-3, 0));
    Strategy fedProx = Strategy.of("fedprox", 1, 0.9, 0.99, 1e-3, 0.01);
    assertEquals(new FedAvg(1, 0.01), fedProx);
    assertEquals("fedprox", fedProx.name());
    assertEquals(0.01, fedProx.proximalMu());
    assertEquals(
        new FedAdam(0.01, 0.9, 0.999, 1e-8, 0), Strategy.of("fedadam", 0.01, 0.9, 0.999, 1e-8, 0));
    assertEquals(
        new FedYogi(0.01, 0.9, 0.99, 1e-3, 0), Strategy.of("fedyogi", 0.01, 0.9, 0.99, 1e-3, 0));
    assertEquals(
        new FedAdagrad(0.01, 0.0, 1e-3, 0), Strategy.of("fedadagrad", 0.01, 0.0, 0.99, 1e-3, 0));
  }

  @Test
  void everyNameRoundTripsThroughOf() {
    for (String name : Strategy.NAMES) {
      double mu = name.equals("fedprox") ? 0.1 : 0;
      Strategy strategy = Strategy.of(name, 0.1, 0.9, 0.99, 1e-3, mu);
      assertEquals(name, strategy.name());
    }
  }

  @Test
  void ofRejectsUnknownNamesListingTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Strategy.of("fedfoo", 1, 0.9, 0.99, 1e-3, 0));
    assertEquals(
        "name 'fedfoo' is not one of fedavg, fedprox, fedadam, fedyogi, fedadagrad",
        e.getMessage());
  }

  @Test
  void ofRequiresAProximalTermExactlyForFedProx() {
    assertThrows(
        IllegalArgumentException.class, () -> Strategy.of("fedprox", 1, 0.9, 0.99, 1e-3, 0));
    assertThrows(
        IllegalArgumentException.class, () -> Strategy.of("fedavg", 1, 0.9, 0.99, 1e-3, 0.1));
  }

  @Test
  void serverStateRejectsACorruptCheckpoint() {
    assertThrows(
        IllegalArgumentException.class, () -> new ServerState(new double[2], new double[3], 0));
    assertThrows(
        IllegalArgumentException.class, () -> new ServerState(new double[1], new double[] {-1}, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new ServerState(new double[0], new double[0], -1));
  }

  @Test
  void resultsAreValuesThatCallersCannotAlter() {
    SiteUpdate update = new SiteUpdate("a", new double[] {1, 2}, 1);
    update.delta()[0] = 99;
    assertArrayEquals(new double[] {1, 2}, update.delta(), 0.0);

    AggregationResult result =
        new FedAvg(1, 0).aggregate(new double[2], ServerState.empty(), List.of(update));
    result.newGlobal()[0] = 99;
    assertArrayEquals(new double[] {1, 2}, result.newGlobal(), 0.0);
  }
}
