package org.medfed.coordinator.round;

import com.google.protobuf.ByteString;
import java.time.Instant;
import java.util.List;
import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.coordinator.strategy.StrategyConfig;
import org.medfed.crypto.aggregation.ModelEncoding;
import org.medfed.proto.v1.CoordinatorDecision;
import org.medfed.proto.v1.RoundClosed;
import org.medfed.proto.v1.RoundOpened;
import org.medfed.proto.v1.SiteDropped;
import org.medfed.proto.v1.StrategyParameters;
import org.medfed.proto.v1.StudyClosed;
import org.medfed.proto.v1.StudyOpened;

/**
 * The round engine's decisions as the exchange log records them, one method per decision, so that
 * the study loop reads in protocol terms. An auditor replays the study from exactly these entries,
 * so their content and order are part of the log's format. Called with the engine's lock held.
 */
final class DecisionLog {
  private final String studyId;
  private final ExchangeLog exchangeLog;

  DecisionLog(String studyId, ExchangeLog exchangeLog) {
    this.studyId = studyId;
    this.exchangeLog = exchangeLog;
  }

  /**
   * A new study: the initial model and the strategy are what an auditor replays every model from.
   */
  void studyOpened(
      String configDigest,
      List<String> invitedSites,
      StrategyConfig configured,
      String initialModelSha,
      double[] initialModel) {
    // Retained under its own digest: the store encodes models with ModelEncoding too, so that is
    // initialModelSha.
    byte[] initial = ModelEncoding.encode(initialModel);
    exchangeLog.recordRetainedDecision(
        studyId,
        0,
        CoordinatorDecision.newBuilder()
            .setStudyOpened(
                StudyOpened.newBuilder()
                    .setStudyConfigSha256(hex(configDigest))
                    .addAllInvitedSites(invitedSites)
                    .setStrategy(
                        StrategyParameters.newBuilder()
                            .setName(configured.name())
                            .setServerLearningRate(configured.serverLearningRate())
                            .setBeta1(configured.beta1())
                            .setBeta2(configured.beta2())
                            .setTau(configured.tau())
                            .setProximalMu(configured.proximalMu()))
                    .setInitialModelSha256(hex(initialModelSha)))
            .build(),
        initial);
  }

  void roundOpened(
      int round,
      long baseVersion,
      String baseModelSha,
      List<String> participants,
      Instant deadline) {
    decide(
        round,
        CoordinatorDecision.newBuilder()
            .setRoundOpened(
                RoundOpened.newBuilder()
                    .setBaseModelVersion(baseVersion)
                    .setBaseModelSha256(hex(baseModelSha))
                    .addAllParticipants(participants)
                    .setDeadlineUnixMillis(deadline.toEpochMilli())));
  }

  void siteDropped(int round, SiteRoundResult result) {
    decide(
        round,
        CoordinatorDecision.newBuilder()
            .setSiteDropped(
                SiteDropped.newBuilder()
                    .setSite(result.site())
                    .setOutcome(result.outcome().name().toLowerCase(java.util.Locale.ROOT))
                    .setReason(result.detail())));
  }

  /** Closes the round as failed and signs a tree head over it. */
  void roundFailed(int round, String reason) {
    decide(
        round,
        CoordinatorDecision.newBuilder()
            .setRoundClosed(RoundClosed.newBuilder().setStatus("failed").setReason(reason)));
    exchangeLog.signTreeHead();
  }

  /** Closes the round with its new global model and signs a tree head over it. */
  void roundCompleted(
      int round,
      List<String> aggregatedSites,
      long newVersion,
      String newModelSha,
      double[] meanDelta) {
    decide(
        round,
        CoordinatorDecision.newBuilder()
            .setRoundClosed(
                RoundClosed.newBuilder()
                    .setStatus("completed")
                    .addAllAggregatedSites(aggregatedSites)
                    .setNewModelVersion(newVersion)
                    .setNewModelSha256(hex(newModelSha))
                    .setAggregateSha256(ByteString.copyFrom(ModelEncoding.sha256(meanDelta)))));
    exchangeLog.signTreeHead();
  }

  /** Closes the study and signs a tree head over it. */
  void studyClosed(int lastRound, StudyStatus status, String outcome) {
    decide(
        lastRound,
        CoordinatorDecision.newBuilder()
            .setStudyClosed(
                StudyClosed.newBuilder()
                    .setStatus(status.name().toLowerCase(java.util.Locale.ROOT))
                    .setOutcome(outcome)));
    exchangeLog.signTreeHead();
  }

  private void decide(int round, CoordinatorDecision.Builder decision) {
    exchangeLog.recordDecision(studyId, round, decision.build());
  }

  private static ByteString hex(String hex) {
    return ByteString.copyFrom(java.util.HexFormat.of().parseHex(hex));
  }
}
