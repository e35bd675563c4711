package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.round.Enrolment;
import org.medfed.coordinator.round.RoundRecord;
import org.medfed.coordinator.round.SiteRoundResult;
import org.medfed.coordinator.round.StudyCheckpoint;
import org.medfed.coordinator.round.StudyStatus;
import org.medfed.crypto.dp.RdpAccountant;
import org.medfed.crypto.dp.RdpConversion;
import org.medfed.crypto.dp.SampledGaussian;
import org.medfed.proto.v1.LogEntry;
import org.medfed.site.privacy.PrivacyCap;
import org.medfed.site.privacy.PrivacyGuard;
import org.medfed.site.privacy.PrivacyLedger;

/** Each hospital enforces its own privacy cap over real mutual TLS, whatever the study asks. */
@Timeout(120)
class PrivacyIT {
  private static final String PRIVACY =
      "privacy: {noise-multiplier: 1.0, clipping-norm: 1.0, sampling-rate: 0.05, delta: 1.0e-5}";
  private static final SampledGaussian MECHANISM = new SampledGaussian(0.05, 1.0);

  @TempDir Path dir;

  @Test
  void siteDeclinesTheRoundThatWouldCrossItsCapWhileTheOthersContinue() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    // Hungary already spent one round's worth on an earlier study: the study alone fits its cap,
    // its first round still fits, its second would not.
    double twoRounds = epsilon(200);
    double threeRounds = epsilon(300);
    PrivacyCap tight = new PrivacyCap((twoRounds + threeRounds) / 2, 1e-5);
    PrivacyLedger.open(network.stateDir("hungary"), tight, 172)
        .charge("earlier-study", 1, MECHANISM, 100);
    try (CoordinatorNode coordinator =
        network.coordinator(network.study(2, 3, "20s", "stop", PRIVACY), 0)) {
      List<TestNetwork.RunningSite> sites = new ArrayList<>();
      for (String site : TestNetwork.SITES) {
        PrivacyCap cap = site.equals("hungary") ? tight : new PrivacyCap(100, 1e-5);
        sites.add(
            network.site(
                site,
                coordinator.grpcPort(),
                TestNetwork.ALLOW_HEART_COLUMNS,
                new PrivacyGuard(network.stateDir(site), cap)));
      }
      assertTrue(coordinator.engine().awaitEnd(Duration.ofSeconds(60)), "study did not end");
      StudyCheckpoint result = coordinator.engine().view().checkpoint();
      assertEquals(StudyStatus.COMPLETED, result.status(), result.outcome());
      assertEquals(SiteRoundResult.Outcome.UPDATED, outcome(result.rounds().get(0), "hungary"));
      SiteRoundResult second = result(result.rounds().get(1), "hungary");
      assertEquals(SiteRoundResult.Outcome.DECLINED, second.outcome());
      assertTrue(second.detail().contains("above its cap"), second.detail());
      for (String other : List.of("cleveland", "switzerland", "long-beach")) {
        assertEquals(SiteRoundResult.Outcome.UPDATED, outcome(result.rounds().get(1), other));
      }
      // The ledger survived as a file: the earlier charge and this study's first round.
      assertEquals(2, PrivacyLedger.open(network.stateDir("hungary"), tight, 172).charges().size());
      // Every private update carries the site's privacy loss into the exchange log.
      List<LogEntry> updates =
          coordinator.exchangeLog().entries(0, coordinator.exchangeLog().size()).stream()
              .filter(e -> e.hasMessage() && e.getMessage().getRpc().equals("PushUpdate"))
              .toList();
      assertEquals(7, updates.size());
      assertTrue(updates.stream().allMatch(e -> e.getMessage().getEpsilonSpent() > 0));
      for (TestNetwork.RunningSite site : sites) {
        site.close();
      }
    }
  }

  @Test
  void siteWithACapDeclinesAStudyWithoutDifferentialPrivacy() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    try (CoordinatorNode coordinator = network.coordinator(network.study(1, 3, "20s", "stop"), 0)) {
      List<TestNetwork.RunningSite> sites = new ArrayList<>();
      for (String site : TestNetwork.SITES) {
        PrivacyGuard guard =
            site.equals("switzerland")
                ? new PrivacyGuard(network.stateDir(site), new PrivacyCap(4, 1e-5))
                : PrivacyGuard.uncapped();
        sites.add(
            network.site(site, coordinator.grpcPort(), TestNetwork.ALLOW_HEART_COLUMNS, guard));
      }
      assertTrue(coordinator.engine().awaitEnd(Duration.ofSeconds(60)), "study did not end");
      Enrolment switzerland =
          coordinator.engine().view().checkpoint().enrolment().get("switzerland");
      assertEquals(Enrolment.Status.DECLINED, switzerland.status());
      assertTrue(
          switzerland.reason().contains("requires differential privacy"), switzerland.reason());
      for (TestNetwork.RunningSite site : sites) {
        site.close();
      }
    }
  }

  private static double epsilon(long steps) {
    return RdpAccountant.create()
        .plus(MECHANISM, steps)
        .privacySpent(1e-5, RdpConversion.BALLE_2020)
        .epsilon();
  }

  private static SiteRoundResult result(RoundRecord round, String site) {
    return round.sites().stream().filter(s -> s.site().equals(site)).findFirst().orElseThrow();
  }

  private static SiteRoundResult.Outcome outcome(RoundRecord round, String site) {
    return result(round, site).outcome();
  }
}
