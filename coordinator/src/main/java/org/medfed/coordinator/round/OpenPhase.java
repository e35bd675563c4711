package org.medfed.coordinator.round;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.medfed.coordinator.round.ProtocolException.Kind;
import org.medfed.coordinator.round.SiteRoundResult.EvaluationMetrics;
import org.medfed.coordinator.round.SiteRoundResult.Outcome;

/**
 * The one phase open at a time, with the answers received so far, and the checks a site message
 * must pass against it. Guarded by the {@link RoundEngine}'s lock, like all the engine's state.
 */
final class OpenPhase {
  final String studyId;
  final int round;
  final PhaseKind kind;
  final long modelVersion;
  final Instant deadline;
  final long seed;
  final TreeSet<String> participants;
  // Null in a plaintext round; in a secure one it holds the secure phases' tasks and answers.
  final SecurePhases secure;
  final Map<String, SiteRoundResult> results = new TreeMap<>();
  final Map<String, UpdateSubmission> updates = new TreeMap<>();
  final Map<String, EvaluationMetrics> evaluations = new TreeMap<>();

  OpenPhase(
      String studyId,
      int round,
      PhaseKind kind,
      long modelVersion,
      Instant deadline,
      long seed,
      List<String> participants,
      SecurePhases secure) {
    this.studyId = studyId;
    this.round = round;
    this.kind = kind;
    this.modelVersion = modelVersion;
    this.deadline = deadline;
    this.seed = seed;
    this.participants = new TreeSet<>(participants);
    this.secure = secure;
  }

  SiteTask taskFor(String site) {
    return switch (kind) {
      case TRAINING ->
          new SiteTask.Train(
              studyId,
              round,
              modelVersion,
              deadline,
              seed,
              Optional.ofNullable(secure).map(SecurePhases::spec));
      case EVALUATION -> new SiteTask.Evaluate(studyId, round, modelVersion, deadline);
      case SHARE_KEYS, MASKED_INPUT, UNMASKING -> secure.taskFor(site);
    };
  }

  private Set<String> answeredSites() {
    return switch (kind) {
      case TRAINING -> results.keySet();
      case EVALUATION -> evaluations.keySet();
      case SHARE_KEYS, MASKED_INPUT, UNMASKING -> secure.answered();
    };
  }

  boolean expects(String site) {
    return participants.contains(site) && !answeredSites().contains(site);
  }

  boolean allAnswered() {
    return answeredSites().containsAll(participants);
  }

  void record(String site, Outcome outcome, String detail) {
    results.put(site, new SiteRoundResult(site, outcome, detail, 0, Double.NaN, null));
  }

  // ---- checks of a site message against the open phase, which may be null ----

  static OpenPhase requireTraining(OpenPhase phase, String site, int round)
      throws ProtocolException {
    if (phase == null || phase.kind != PhaseKind.TRAINING || phase.round != round) {
      throw new ProtocolException(
          Kind.NOT_NOW,
          "round "
              + round
              + " is not accepting updates"
              + (phase == null ? "" : " (open: round " + phase.round + " " + phase.kind + ")"));
    }
    if (!phase.participants.contains(site)) {
      throw new ProtocolException(
          Kind.NOT_PARTICIPANT, "site " + site + " is not a participant of round " + round);
    }
    if (phase.results.containsKey(site)) {
      throw new ProtocolException(
          Kind.NOT_NOW, "site " + site + " has already answered round " + round);
    }
    return phase;
  }

  static OpenPhase requireSecurePhase(OpenPhase phase, String site, int round, PhaseKind kind)
      throws ProtocolException {
    String wanted = kind.label();
    if (phase == null || phase.kind != kind || phase.round != round) {
      throw new ProtocolException(
          Kind.NOT_NOW,
          "round "
              + round
              + " is not in its secure-aggregation "
              + wanted
              + " phase"
              + (phase == null
                  ? " (no phase is open)"
                  : " (open: round " + phase.round + " " + phase.kind.label() + ")"));
    }
    if (!phase.participants.contains(site)) {
      throw new ProtocolException(
          Kind.NOT_PARTICIPANT,
          "site " + site + " is not in the " + wanted + " phase of round " + round);
    }
    if (phase.secure.answered().contains(site)) {
      throw new ProtocolException(
          Kind.NOT_NOW, "site " + site + " has already answered the " + wanted + " phase");
    }
    return phase;
  }

  /** Under secure aggregation a plaintext update is refused before it is read. */
  void requirePlain() throws ProtocolException {
    if (secure != null) {
      throw new ProtocolException(
          Kind.NOT_NOW,
          "round "
              + round
              + " aggregates securely: the coordinator accepts no plaintext update, advertise"
              + " keys instead");
    }
  }

  SecurePhases requireSecure() throws ProtocolException {
    if (secure == null) {
      throw new ProtocolException(
          Kind.NOT_NOW, "round " + round + " aggregates plaintext updates: push an update");
    }
    return secure;
  }

  void requireBaseVersion(long baseVersion) throws ProtocolException {
    if (baseVersion != modelVersion) {
      throw new ProtocolException(
          Kind.NOT_NOW,
          "the update was trained from model version "
              + baseVersion
              + " but round "
              + round
              + " started from version "
              + modelVersion);
    }
  }
}
