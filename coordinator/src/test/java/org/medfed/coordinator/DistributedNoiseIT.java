package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.round.RoundRecord;
import org.medfed.coordinator.round.SiteRoundResult;
import org.medfed.coordinator.round.StudyCheckpoint;
import org.medfed.coordinator.round.StudyStatus;
import org.medfed.crypto.dp.DistributedDiscreteGaussian;
import org.medfed.crypto.dp.RdpAccountant;
import org.medfed.crypto.dp.RdpConversion;
import org.medfed.crypto.dp.SampledGaussian;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.LogEntry;
import org.medfed.site.privacy.PrivacyCap;
import org.medfed.site.privacy.PrivacyGuard;
import org.medfed.site.privacy.PrivacyLedger;

/**
 * Distributed discrete-Gaussian noise over real mutual TLS: four site nodes each add a share of the
 * noise to the integers they mask, and each accounts what a sum of the threshold's sites protects.
 */
@Timeout(240)
class DistributedNoiseIT {
  private static final double SIGMA = 3.0;
  private static final String EXTRA =
      """
      privacy: {noise-multiplier: 3.0, clipping-norm: 1.0, sampling-rate: 0.2, delta: 1.0e-5, \
      distributed-noise: true}
      secure-aggregation: {enabled: true, phase-deadline: 10s}""";
  private static final double CAP_DELTA = 1e-5;

  /** What the coordinator opens for four sites of the test study (13 features, a bias, a count). */
  private static final DistributedDiscreteGaussian ROUND =
      DistributedDiscreteGaussian.fitting(SIGMA, 1.0, 0.2, 4, 15, 10_000);

  /** Secure aggregation's default threshold for four sites is 3. */
  private static final SampledGaussian PER_ROUND = ROUND.mechanism(3);

  private static final int EARLIER_ROUNDS = 20;

  @TempDir Path dir;

  @Test
  void sitesLogTheAccountantsEpsilonAndOneDeclinesTheRoundThatWouldCrossItsCap() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    // Hungary spent 20 rounds' worth on an earlier study: this study alone fits its cap, and so
    // does its first round here, but not its second.
    PrivacyCap tight =
        new PrivacyCap((epsilon(EARLIER_ROUNDS + 1) + epsilon(EARLIER_ROUNDS + 2)) / 2, CAP_DELTA);
    PrivacyLedger.open(network.stateDir("hungary"), tight, 172)
        .charge("earlier-study", 1, PER_ROUND, EARLIER_ROUNDS);
    Path study = network.study(3, 3, "20s", "stop", EXTRA);
    String yaml = Files.readString(study);
    String oneStep =
        "local-training: {steps: 1, batch-size: 4, learning-rate: 0.5, optimizer: sgd}";
    String fedSgd =
        yaml.replace(
            "local-training: {steps: 100, batch-size: 4, learning-rate: 0.01, optimizer: sgd}",
            oneStep);
    assertTrue(fedSgd.contains(oneStep), "test bug: the harness's local-training line changed");
    Files.writeString(study, fedSgd);
    try (CoordinatorNode coordinator = network.coordinator(study, 0)) {
      List<TestNetwork.RunningSite> sites = new ArrayList<>();
      for (String site : TestNetwork.SITES) {
        PrivacyCap cap = site.equals("hungary") ? tight : new PrivacyCap(100, CAP_DELTA);
        sites.add(
            network.site(
                site,
                coordinator.grpcPort(),
                TestNetwork.ALLOW_HEART_COLUMNS,
                new PrivacyGuard(network.stateDir(site), cap)));
      }
      assertTrue(coordinator.engine().awaitEnd(Duration.ofSeconds(180)), "study did not end");
      StudyCheckpoint result = coordinator.engine().view().checkpoint();
      assertEquals(StudyStatus.COMPLETED, result.status(), result.outcome());
      assertEquals(3, result.roundsCompleted());
      for (String site : TestNetwork.SITES) {
        assertEquals(
            SiteRoundResult.Outcome.UPDATED, result(result.rounds().get(0), site).outcome());
      }
      for (RoundRecord round : result.rounds().subList(1, 3)) {
        SiteRoundResult hungary = result(round, "hungary");
        assertEquals(SiteRoundResult.Outcome.DECLINED, hungary.outcome());
        assertTrue(hungary.detail().contains("above its cap"), hungary.detail());
        for (String other : List.of("cleveland", "switzerland", "long-beach")) {
          assertEquals(SiteRoundResult.Outcome.UPDATED, result(round, other).outcome());
        }
      }

      // Each masked input carries the site's ε, which is exactly its ledger's accountant's value.
      List<LogEntry> entries =
          coordinator.exchangeLog().entries(0, coordinator.exchangeLog().size());
      Map<String, List<Double>> logged = new TreeMap<>();
      for (LogEntry entry : entries) {
        ExchangedMessage message = entry.getMessage();
        assertTrue(!entry.hasMessage() || !message.getRpc().equals("PushUpdate"));
        if (entry.hasMessage()
            && message.getRpc().equals("PushMaskedInput")
            && message.getOutcome().equals("accepted")) {
          logged
              .computeIfAbsent(message.getSender(), s -> new ArrayList<>())
              .add(message.getEpsilonSpent());
        }
      }
      for (String site : List.of("cleveland", "switzerland", "long-beach")) {
        assertEquals(3, logged.get(site).size(), site);
        for (int round = 1; round <= 3; round++) {
          assertEquals(epsilon(round), logged.get(site).get(round - 1), 1e-12, site);
        }
      }
      assertEquals(1, logged.get("hungary").size());
      assertEquals(epsilon(EARLIER_ROUNDS + 1), logged.get("hungary").getFirst(), 1e-12);
      assertEquals(2, PrivacyLedger.open(network.stateDir("hungary"), tight, 172).charges().size());
      assertEquals(3, result.modelVersion(), "each round's noisy step made a new global model");
      for (TestNetwork.RunningSite site : sites) {
        site.close();
      }
    }
  }

  /** ε at the caps' δ after {@code rounds} distributed-noise rounds of this study. */
  private static double epsilon(int rounds) {
    return RdpAccountant.create()
        .plus(PER_ROUND, rounds)
        .privacySpent(CAP_DELTA, RdpConversion.BALLE_2020)
        .epsilon();
  }

  private static SiteRoundResult result(RoundRecord round, String site) {
    return round.sites().stream().filter(s -> s.site().equals(site)).findFirst().orElseThrow();
  }
}
