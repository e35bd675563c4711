package org.medfed.coordinator.round;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.medfed.crypto.aggregation.ServerState;

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

  public StudyCheckpoint withStatus(StudyStatus newStatus, String newOutcome) {
    return new StudyCheckpoint(
        studyId,
        configDigest,
        newStatus,
        newOutcome,
        nextRound,
        modelVersion,
        modelSha256,
        serverState,
        enrolment,
        rounds);
  }

  public StudyCheckpoint withEnrolment(Map<String, Enrolment> newEnrolment) {
    return new StudyCheckpoint(
        studyId,
        configDigest,
        status,
        outcome,
        nextRound,
        modelVersion,
        modelSha256,
        serverState,
        newEnrolment,
        rounds);
  }

  /** A failed round leaves the model and the optimiser state as they were. */
  public StudyCheckpoint withFailedRound(RoundRecord failed) {
    return new StudyCheckpoint(
        studyId,
        configDigest,
        status,
        outcome,
        failed.round() + 1,
        modelVersion,
        modelSha256,
        serverState,
        enrolment,
        append(failed));
  }

  /** A completed round brings the model version of its record and the new optimiser state. */
  public StudyCheckpoint withCompletedRound(
      RoundRecord completed, String newModelSha256, ServerState newState) {
    return new StudyCheckpoint(
        studyId,
        configDigest,
        status,
        outcome,
        completed.round() + 1,
        completed.modelVersion(),
        newModelSha256,
        newState,
        enrolment,
        append(completed));
  }

  /** The last round's record again, now with its evaluations. */
  public StudyCheckpoint withLastRoundReplaced(RoundRecord record) {
    List<RoundRecord> replaced = new ArrayList<>(rounds);
    replaced.set(replaced.size() - 1, record);
    return new StudyCheckpoint(
        studyId,
        configDigest,
        status,
        outcome,
        nextRound,
        modelVersion,
        modelSha256,
        serverState,
        enrolment,
        replaced);
  }

  private List<RoundRecord> append(RoundRecord record) {
    List<RoundRecord> appended = new ArrayList<>(rounds);
    appended.add(record);
    return appended;
  }

  public long roundsCompleted() {
    return rounds.stream().filter(r -> r.status() == RoundRecord.Status.COMPLETED).count();
  }
}
