package org.medfed.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {
  @Test
  void distributedNoiseDefaultsToFedSgdRoundsAndFedAvg() {
    DemoOptions options =
        DemoOptions.parse(List.of("--repository", ".", "--dp-epsilon", "4", "--dp-distributed"));
    assertTrue(options.dpDistributed());
    assertEquals(DpDefaults.DISTRIBUTED_ROUNDS, options.rounds());
    assertEquals("fedavg", options.strategy());
  }

  @Test
  void explicitRoundsAndStrategyWinOverTheDistributedDefaults() {
    DemoOptions options =
        DemoOptions.parse(
            List.of(
                "--repository",
                ".",
                "--dp-epsilon",
                "4",
                "--dp-distributed",
                "--rounds",
                "7",
                "--strategy",
                "fedadam"));
    assertEquals(7, options.rounds());
    assertEquals("fedadam", options.strategy());
  }

  @Test
  void withoutDistributedNoiseTheDefaultsStayFlambys() {
    DemoOptions options = DemoOptions.parse(List.of("--repository", "."));
    assertEquals(15, options.rounds());
    assertEquals("fedadam", options.strategy());
  }

  @Test
  void distributedNoiseNeedsAnEpsilonAndSecureAggregation() {
    assertThrows(
        DemoOptions.UsageException.class,
        () -> DemoOptions.parse(List.of("--repository", ".", "--dp-distributed")));
    DemoOptions.UsageException e =
        assertThrows(
            DemoOptions.UsageException.class,
            () ->
                DemoOptions.parse(
                    List.of(
                        "--repository",
                        ".",
                        "--dp-epsilon",
                        "1",
                        "--dp-distributed",
                        "--no-secure-aggregation")));
    assertTrue(e.getMessage().contains("needs secure aggregation"), e.getMessage());
  }

  @Test
  void theStudysSigmaMakesEverySiteSpendTheTargetWithTheThresholdsNoise() {
    DemoOptions options =
        DemoOptions.parse(List.of("--repository", ".", "--dp-epsilon", "4", "--dp-distributed"));
    double sigma = DemoMain.noiseMultiplier(options);
    double spent =
        org.medfed.crypto.dp.RdpAccountant.create()
            .plus(DemoMain.mechanism(sigma, 4).mechanism(3), options.rounds())
            .privacySpent(DpDefaults.DELTA, org.medfed.crypto.dp.RdpConversion.BALLE_2020)
            .epsilon();
    assertTrue(spent <= 4.0 && spent > 3.99, "spent " + spent);
  }
}
