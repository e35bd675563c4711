package org.medfed.coordinator.round;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.medfed.coordinator.strategy.ServerState;

/**
 * Everything needed to resume a study after a coordinator restart, apart from the model weights,
 * which are stored per version beside it.
 *
 * @param configDigest SHA-256 of the study file, so a changed study is never silently resumed
 * @param nextRound the round to run next (rounds + 1 when done)
 * @param modelSha256 hex digest of the current model's stored bytes
 */
public record StudyCheckpoint(
    String studyId,
    String configDigest,
    StudyStatus status,
    String outcome,
    int nextRound,
    long modelVersion,
    String modelSha256,
    ServerState serverState,
    Map<String, Enrolment> enrolment,
    List<RoundRecord> rounds) {

  public StudyCheckpoint {
    enrolment = new TreeMap<>(enrolment);
    rounds = List.copyOf(rounds);
  }

  public long roundsCompleted() {
    return rounds.stream().filter(r -> r.status() == RoundRecord.Status.COMPLETED).count();
  }
}
