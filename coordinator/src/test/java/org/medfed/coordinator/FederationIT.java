package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.round.Enrolment;
import org.medfed.coordinator.round.RoundRecord;
import org.medfed.coordinator.round.SiteRoundResult;
import org.medfed.coordinator.round.StudyCheckpoint;
import org.medfed.coordinator.round.StudyStatus;
import org.medfed.site.policy.LocalPolicy;

/** A real coordinator and four real site nodes over loopback mutual TLS, on the real data. */
@Timeout(120)
class FederationIT {
  @TempDir Path dir;

  @Test
  void fourHospitalsTrainOneModelOverMutualTls() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    try (CoordinatorNode coordinator = network.coordinator(network.study(5, 4, "20s", "stop"), 0)) {
      List<TestNetwork.RunningSite> sites = new ArrayList<>();
      for (String site : TestNetwork.SITES) {
        sites.add(network.site(site, coordinator.grpcPort()));
      }
      assertTrue(coordinator.engine().awaitEnd(Duration.ofSeconds(90)), "study did not end");
      StudyCheckpoint result = coordinator.engine().view().checkpoint();
      assertEquals(StudyStatus.COMPLETED, result.status(), result.outcome());
      assertEquals(5, result.roundsCompleted());
      assertEquals(5, result.modelVersion());
      for (RoundRecord round : result.rounds()) {
        assertTrue(
            round.sites().stream().allMatch(s -> s.outcome() == SiteRoundResult.Outcome.UPDATED),
            round.toString());
      }
      RoundRecord last = result.rounds().getLast();
      Map<String, Long> records =
          last.sites().stream()
              .collect(Collectors.toMap(SiteRoundResult::site, SiteRoundResult::numExamples));
      // FLamby's train split sizes: the coordinator learns counts, never records.
      assertEquals(
          Map.of("cleveland", 199L, "hungary", 172L, "switzerland", 30L, "long-beach", 85L),
          records);
      assertEquals(4, last.sites().stream().filter(s -> s.evaluation() != null).count());
      double average = last.clientAverageAccuracy().orElseThrow();
      assertTrue(average > 0.65, "client-average accuracy " + average);
      for (TestNetwork.RunningSite site : sites) {
        assertTrue(site.outcome().get().toString().contains("completed"));
        assertTrue(site.ledger().bytesSent() > 0);
        site.close();
      }
    }
  }

  @Test
  void siteWhosePolicyForbidsAColumnDeclinesAndTheOthersTrain() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    LocalPolicy noCholesterol =
        new LocalPolicy(
            Set.of("logistic-regression"),
            Set.of(
                "age",
                "sex",
                "cp",
                "trestbps",
                "fbs",
                "restecg",
                "thalach",
                "exang",
                "oldpeak",
                "num"));
    try (CoordinatorNode coordinator = network.coordinator(network.study(2, 3, "20s", "stop"), 0)) {
      List<TestNetwork.RunningSite> sites = new ArrayList<>();
      for (String site : TestNetwork.SITES) {
        sites.add(
            site.equals("switzerland")
                ? network.site(site, coordinator.grpcPort(), noCholesterol)
                : network.site(site, coordinator.grpcPort()));
      }
      assertTrue(coordinator.engine().awaitEnd(Duration.ofSeconds(60)), "study did not end");
      StudyCheckpoint result = coordinator.engine().view().checkpoint();
      assertEquals(StudyStatus.COMPLETED, result.status(), result.outcome());
      Enrolment switzerland = result.enrolment().get("switzerland");
      assertEquals(Enrolment.Status.DECLINED, switzerland.status());
      assertTrue(switzerland.reason().contains("chol"), switzerland.reason());
      for (RoundRecord round : result.rounds()) {
        assertEquals(3, round.sites().size(), "a declined site is not asked to train");
      }
      for (TestNetwork.RunningSite site : sites) {
        site.close();
      }
    }
  }
}
