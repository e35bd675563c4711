package org.medfed.coordinator.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.round.Enrolment;
import org.medfed.coordinator.round.RoundRecord;
import org.medfed.coordinator.round.SiteRoundResult;
import org.medfed.coordinator.round.StudyCheckpoint;
import org.medfed.coordinator.round.StudyStatus;
import org.medfed.crypto.aggregation.ServerState;

class StudyStoreTest {
  @TempDir Path dir;

  @Test
  void modelComesBackBitForBit() {
    StudyStore store = new StudyStore(dir);
    double[] weights = {0.1, -2.5e-7, Math.PI, Double.MIN_VALUE};
    String sha = store.saveModel(3, weights);
    assertArrayEquals(weights, store.loadModel(3, sha));
  }

  @Test
  void alteredModelFileIsDetected() throws Exception {
    StudyStore store = new StudyStore(dir);
    String sha = store.saveModel(1, new double[] {1, 2, 3});
    Path file = dir.resolve("model-v000001.bin");
    byte[] bytes = Files.readAllBytes(file);
    bytes[0] ^= 1;
    Files.write(file, bytes);
    IllegalStateException altered =
        assertThrows(IllegalStateException.class, () -> store.loadModel(1, sha));
    assertTrue(altered.getMessage().contains("was altered"), altered.getMessage());
  }

  @Test
  void checkpointRoundTripsWithRoundsAndOptimiserState() {
    StudyStore store = new StudyStore(dir);
    RoundRecord round =
        new RoundRecord(
            1,
            RoundRecord.Status.COMPLETED,
            "",
            Instant.parse("2026-11-22T01:00:00Z"),
            Instant.parse("2026-11-22T01:00:01Z"),
            1,
            List.of(
                new SiteRoundResult(
                    "hungary",
                    SiteRoundResult.Outcome.UPDATED,
                    "",
                    172,
                    0.61,
                    new SiteRoundResult.EvaluationMetrics(89, 0.76, Double.NaN, 0.5))));
    StudyCheckpoint checkpoint =
        new StudyCheckpoint(
            "heart-disease",
            "abc",
            StudyStatus.RUNNING,
            "",
            2,
            1,
            "def",
            new ServerState(new double[] {0.5}, new double[] {0.25}, 1),
            Map.of("hungary", new Enrolment("hungary", Enrolment.Status.ACCEPTED, "")),
            List.of(round));
    store.save(checkpoint);
    StudyCheckpoint loaded = new StudyStore(dir).load().orElseThrow();
    assertEquals(checkpoint, loaded);
    assertTrue(Double.isNaN(loaded.rounds().getFirst().sites().getFirst().evaluation().auc()));
  }

  @Test
  void emptyDirectoryHasNoCheckpoint() {
    assertTrue(new StudyStore(dir.resolve("none")).load().isEmpty());
  }
}
