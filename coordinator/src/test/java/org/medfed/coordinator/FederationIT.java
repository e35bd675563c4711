package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.round.RoundRecord;
import org.medfed.coordinator.round.SiteRoundResult;
import org.medfed.coordinator.round.StudyCheckpoint;
import org.medfed.coordinator.round.StudyStatus;

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
            round.sites().stream()
                .allMatch(s -> s.outcome() == SiteRoundResult.Outcome.UPDATED),
            round.toString());
      }
      RoundRecord last = result.rounds().getLast();
      Map<String, Long> records =
          last.sites().stream()
              .collect(Collectors.toMap(SiteRoundResult::site, SiteRoundResult::numExamples));
      // FLamby's train split sizes: the coordinator learns counts, never records.
      assertEquals(Map.of("cleveland", 199L, "hungary", 172L, "switzerland", 30L,
          "long-beach", 85L), records);
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
}
