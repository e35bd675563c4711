package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.round.RoundRecord;
import org.medfed.coordinator.round.SiteRoundResult;
import org.medfed.coordinator.round.StudyCheckpoint;
import org.medfed.coordinator.round.StudyStatus;
import org.medfed.proto.v1.PollTaskResponse;
import org.medfed.proto.v1.TrainTask;
import org.medfed.proto.v1.UpdateHeader;

/**
 * A site sends a vector of the wrong length, or with NaN: refused, counted failed, round goes on.
 */
@Timeout(120)
class MalformedUpdateIT {
  @TempDir Path dir;

  @Test
  void wrongLengthIsRefusedAndTheRoundGoesOnWithoutTheSite() throws Exception {
    StatusRuntimeException refused = runRoundWithBadUpdate(new float[5]);
    assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
    assertTrue(
        refused.getStatus().getDescription().contains("has 5 elements, the model has 14"),
        refused.getStatus().getDescription());
  }

  @Test
  void nanIsRefusedAndTheRoundGoesOnWithoutTheSite() throws Exception {
    float[] values = new float[14];
    values[3] = Float.NaN;
    StatusRuntimeException refused = runRoundWithBadUpdate(values);
    assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
    assertTrue(
        refused.getStatus().getDescription().contains("element 3 is NaN"),
        refused.getStatus().getDescription());
  }

  private StatusRuntimeException runRoundWithBadUpdate(float[] values) throws Exception {
    TestNetwork network = new TestNetwork(dir);
    try (CoordinatorNode coordinator = network.coordinator(network.study(1, 3, "6s", "stop"), 0)) {
      List<AutoCloseable> sites = new ArrayList<>();
      RawSite bad =
          new RawSite(network.channel("long-beach", coordinator.grpcPort())).joinAndAccept();
      sites.add(bad);
      for (String site : List.of("cleveland", "hungary", "switzerland")) {
        sites.add(network.site(site, coordinator.grpcPort()));
      }
      TrainTask train = bad.pollFor(PollTaskResponse.TaskCase.TRAIN).getTrain();
      UpdateHeader.Builder header =
          UpdateHeader.newBuilder()
              .setStudyId(train.getStudyId())
              .setRound(train.getRound())
              .setBaseModelVersion(train.getModelVersion())
              .setNumExamples(85);
      ExecutionException failure =
          assertThrows(
              ExecutionException.class, () -> bad.push(header, values).get(20, TimeUnit.SECONDS));
      assertTrue(coordinator.engine().awaitEnd(Duration.ofSeconds(60)), "study hung");
      StudyCheckpoint result = coordinator.engine().view().checkpoint();
      assertEquals(StudyStatus.COMPLETED, result.status(), result.outcome());
      RoundRecord round = result.rounds().getFirst();
      SiteRoundResult longBeach =
          round.sites().stream()
              .filter(s -> s.site().equals("long-beach"))
              .findFirst()
              .orElseThrow();
      assertEquals(SiteRoundResult.Outcome.REFUSED, longBeach.outcome());
      for (AutoCloseable site : sites) {
        site.close();
      }
      return (StatusRuntimeException) failure.getCause();
    }
  }
}
