package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.round.RoundRecord;
import org.medfed.coordinator.round.StudyCheckpoint;
import org.medfed.coordinator.round.StudyStatus;

/** The coordinator goes away mid-study; the sites wait, and a new process resumes the study. */
@Timeout(180)
class RestartIT {
  @TempDir Path dir;

  @Test
  void restartedCoordinatorResumesFromItsLastCheckpoint() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    Path study = network.study(12, 4, "20s", "stop");
    CoordinatorNode first = network.coordinator(study, 0);
    int port = first.grpcPort();
    List<TestNetwork.RunningSite> sites = new ArrayList<>();
    for (String site : TestNetwork.SITES) {
      sites.add(network.site(site, port));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (first.engine().view().checkpoint().roundsCompleted() < 2
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    first.close();
    StudyCheckpoint before = first.engine().view().checkpoint();
    int completedBefore = (int) before.roundsCompleted();
    assertTrue(
        completedBefore >= 2 && completedBefore < 12,
        "stopped after " + completedBefore + " rounds");

    try (CoordinatorNode second = network.coordinator(study, port)) {
      StudyCheckpoint resumed = second.engine().view().checkpoint();
      assertEquals(before.modelVersion(), resumed.modelVersion());
      assertEquals(before.modelSha256(), resumed.modelSha256());
      assertTrue(second.engine().awaitEnd(Duration.ofSeconds(120)), "resumed study hung");
      StudyCheckpoint result = second.engine().view().checkpoint();
      assertEquals(StudyStatus.COMPLETED, result.status(), result.outcome());
      assertEquals(12, result.roundsCompleted());
      assertEquals(
          IntStream.rangeClosed(1, 12).boxed().toList(),
          result.rounds().stream().map(RoundRecord::round).toList());
      // The rounds before the restart are the same records, not re-run.
      for (int i = 0; i < completedBefore; i++) {
        assertEquals(before.rounds().get(i).openedAt(), result.rounds().get(i).openedAt());
      }
      for (TestNetwork.RunningSite site : sites) {
        assertTrue(site.outcome().get().toString().contains("completed"));
        site.close();
      }
    }
  }
}
