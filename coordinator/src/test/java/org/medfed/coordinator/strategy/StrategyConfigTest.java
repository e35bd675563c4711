package org.medfed.coordinator.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medfed.crypto.aggregation.FedAdam;
import org.medfed.crypto.aggregation.FedAvg;
import org.medfed.crypto.aggregation.FedYogi;
import org.medfed.crypto.aggregation.ServerState;
import org.medfed.crypto.aggregation.SiteUpdate;
import org.medfed.crypto.aggregation.Strategy;

class StrategyConfigTest {

  @Test
  void configurationNamesTheStrategyWithItsParameters() {
    assertEquals(
        new FedAdam(0.01, 0.9, 0.999, 1e-8, 0),
        new StrategyConfig("fedadam", 0.01, 0.9, 0.999, 1e-8, 0).strategy());
    assertEquals(
        new FedAvg(1, 0.01), new StrategyConfig("fedprox", 1, 0.9, 0.99, 1e-3, 0.01).strategy());
  }

  @Test
  void configurationRejectsUnknownNamesListingTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new StrategyConfig("fedfoo", 1, 0.9, 0.99, 1e-3, 0));
    assertEquals(
        "name 'fedfoo' is not one of fedavg, fedprox, fedadam, fedyogi, fedadagrad",
        e.getMessage());
  }

  @Test
  void configurationChecksParametersTheStrategyDoesNotUse() {
    // FedAvg ignores beta2 and tau, but a study file with them out of range is still wrong.
    assertThrows(
        IllegalArgumentException.class, () -> new StrategyConfig("fedavg", 1, 0.9, 1.0, 1e-3, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new StrategyConfig("fedavg", 1, 0.9, 0.99, 0, 0));
  }

  @Test
  void configurationRequiresAProximalTermExactlyForFedProx() {
    assertThrows(
        IllegalArgumentException.class, () -> new StrategyConfig("fedprox", 1, 0.9, 0.99, 1e-3, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new StrategyConfig("fedavg", 1, 0.9, 0.99, 1e-3, 0.1));
  }

  @Test
  void serverStateSurvivesTheCoordinatorsJsonCheckpoint() throws Exception {
    Strategy yogi = new FedYogi(0.1, 0.9, 0.99, 1e-3, 0);
    ServerState state =
        yogi.aggregate(
                new double[] {0.1, -0.2, 0.3},
                yogi.initialState(3),
                List.of(new SiteUpdate("a", new double[] {1.0 / 3, -2.0 / 7, 1e-300}, 9)))
            .state();
    ObjectMapper json = new ObjectMapper();

    ServerState restored = json.readValue(json.writeValueAsString(state), ServerState.class);

    assertEquals(state, restored);
    assertArrayEquals(state.secondMoment(), restored.secondMoment(), 0.0);
  }
}
