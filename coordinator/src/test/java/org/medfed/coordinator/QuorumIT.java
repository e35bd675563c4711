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
import org.medfed.coordinator.round.RoundRecord;
import org.medfed.coordinator.round.SiteRoundResult;
import org.medfed.coordinator.round.StudyCheckpoint;
import org.medfed.coordinator.round.StudyStatus;

/** One site accepts the study and then never answers again. */
@Timeout(120)
class QuorumIT {
  @TempDir Path dir;

  @Test
  void silentSiteFailsTheRoundByItsDeadlineWhenQuorumIsFour() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    try (CoordinatorNode coordinator = network.coordinator(network.study(3, 4, "3s", "stop"), 0)) {
      List<AutoCloseable> sites = startWithSilentLongBeach(network, coordinator);
      long start = System.nanoTime();
      assertTrue(coordinator.engine().awaitEnd(Duration.ofSeconds(30)), "study hung");
      double seconds = (System.nanoTime() - start) / 1e9;
      StudyCheckpoint result = coordinator.engine().view().checkpoint();
      assertEquals(StudyStatus.FAILED, result.status());
      assertEquals(0, result.roundsCompleted());
      RoundRecord failed = result.rounds().getFirst();
      assertEquals(RoundRecord.Status.FAILED, failed.status());
      assertTrue(failed.reason().contains("3 of 4 sites sent a valid update"), failed.reason());
      assertTrue(failed.reason().contains("min-sites is 4"), failed.reason());
      assertTrue(failed.reason().contains("long-beach: no_answer"), failed.reason());
      assertTrue(result.outcome().startsWith("round 1 failed"), result.outcome());
      assertTrue(seconds < 10, "the round took " + seconds + " s for a 3 s deadline");
      for (AutoCloseable site : sites) {
        site.close();
      }
    }
  }

  @Test
  void silentSiteIsLeftOutAndRoundsCompleteWhenQuorumIsThree() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    try (CoordinatorNode coordinator = network.coordinator(network.study(2, 3, "3s", "stop"), 0)) {
      List<AutoCloseable> sites = startWithSilentLongBeach(network, coordinator);
      assertTrue(coordinator.engine().awaitEnd(Duration.ofSeconds(60)), "study hung");
      StudyCheckpoint result = coordinator.engine().view().checkpoint();
      assertEquals(StudyStatus.COMPLETED, result.status(), result.outcome());
      assertEquals(2, result.roundsCompleted());
      for (RoundRecord round : result.rounds()) {
        SiteRoundResult longBeach =
            round.sites().stream()
                .filter(s -> s.site().equals("long-beach"))
                .findFirst()
                .orElseThrow();
        assertEquals(SiteRoundResult.Outcome.NO_ANSWER, longBeach.outcome());
        assertEquals(
            3,
            round.sites().stream()
                .filter(s -> s.outcome() == SiteRoundResult.Outcome.UPDATED)
                .count());
      }
      for (AutoCloseable site : sites) {
        site.close();
      }
    }
  }

  @Test
  void studyThatContinuesPastFailedRoundsFailsWhenNoRoundCompletes() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    try (CoordinatorNode coordinator =
        network.coordinator(network.study(2, 4, "2s", "continue"), 0)) {
      List<AutoCloseable> sites = startWithSilentLongBeach(network, coordinator);
      assertTrue(coordinator.engine().awaitEnd(Duration.ofSeconds(30)), "study hung");
      StudyCheckpoint result = coordinator.engine().view().checkpoint();
      assertEquals(2, result.rounds().size(), "the study went on after the first failed round");
      assertTrue(result.rounds().stream().allMatch(r -> r.status() == RoundRecord.Status.FAILED));
      assertEquals(StudyStatus.FAILED, result.status());
      assertTrue(result.outcome().startsWith("none of the 2 rounds completed"), result.outcome());
      for (AutoCloseable site : sites) {
        site.close();
      }
    }
  }

  private static List<AutoCloseable> startWithSilentLongBeach(
      TestNetwork network, CoordinatorNode coordinator) throws Exception {
    List<AutoCloseable> sites = new ArrayList<>();
    sites.add(new RawSite(network.channel("long-beach", coordinator.grpcPort())).joinAndAccept());
    for (String site : List.of("cleveland", "hungary", "switzerland")) {
      sites.add(network.site(site, coordinator.grpcPort()));
    }
    return sites;
  }
}
