package org.medfed.auditor;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medfed.auditor.AggregateCheck.RoundKey;
import org.medfed.auditor.LogAuditor.AuditedEntry;
import org.medfed.crypto.aggregation.AggregationResult;
import org.medfed.crypto.aggregation.ModelEncoding;
import org.medfed.crypto.aggregation.ServerState;
import org.medfed.crypto.aggregation.SiteUpdate;
import org.medfed.crypto.aggregation.Strategy;
import org.medfed.proto.v1.CoordinatorDecision;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.RoundClosed;
import org.medfed.proto.v1.RoundOpened;
import org.medfed.proto.v1.StrategyParameters;
import org.medfed.proto.v1.StudyOpened;

/**
 * A test coordinator for {@code model-step}: it writes the decisions a study's rounds leave in the
 * log (StudyOpened with strategy and initial model, RoundOpened, RoundClosed) and the retained
 * initial model, stepping its global model the way the coordinator's round engine does — or, when
 * told to, with another strategy than the one it logged.
 */
final class ModelSteps {
  static final String STUDY = "study-1";

  private final Path contributions;
  private final List<AuditedEntry> entries = new ArrayList<>();
  private final Map<RoundKey, double[]> aggregates = new HashMap<>();
  private final Set<RoundKey> plaintext = new HashSet<>();
  private double[] global;
  private ServerState state;
  private Strategy applied;
  private long version;
  private int round;

  /**
   * Opens a study whose StudyOpened logs {@code parameters} and the retained {@code initial} model,
   * and whose coordinator really steps with {@code applied} (the same strategy, or another one).
   */
  ModelSteps(Path directory, StrategyParameters parameters, Strategy applied, double[] initial) {
    this.contributions = directory.resolve("contributions");
    this.applied = applied;
    this.global = initial.clone();
    this.state = applied.initialState(initial.length);
    byte[] bytes = ModelEncoding.encode(initial);
    try {
      Files.createDirectories(contributions);
      Files.write(contributions.resolve(hex(sha256(bytes)) + ".bin"), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    add(
        0,
        CoordinatorDecision.newBuilder()
            .setStudyOpened(
                StudyOpened.newBuilder()
                    .setStudyConfigSha256(ByteString.copyFrom(new byte[32]))
                    .addInvitedSites("a")
                    .setStrategy(parameters)
                    .setInitialModelSha256(ByteString.copyFrom(sha256(bytes)))));
  }

  static StrategyParameters parameters(
      String name, double eta, double beta1, double beta2, double tau, double mu) {
    return StrategyParameters.newBuilder()
        .setName(name)
        .setServerLearningRate(eta)
        .setBeta1(beta1)
        .setBeta2(beta2)
        .setTau(tau)
        .setProximalMu(mu)
        .build();
  }

  static Strategy strategy(StrategyParameters p) {
    return Strategy.of(
        p.getName(),
        p.getServerLearningRate(),
        p.getBeta1(),
        p.getBeta2(),
        p.getTau(),
        p.getProximalMu());
  }

  /** From now on the coordinator steps with another strategy than the one it logged. */
  void applyFromNowOn(Strategy strategy) {
    applied = strategy;
  }

  /**
   * A secure round that completed with this recomputed aggregate; returns its RoundClosed index.
   */
  long completed(double[] aggregate) {
    return close(aggregate, false);
  }

  /** A completed round that aggregated in plaintext: the auditor has no aggregate for it. */
  long completedInPlaintext(double[] aggregate) {
    return close(aggregate, true);
  }

  /** A round that failed: no new model. */
  long failed() {
    open();
    return add(
        round,
        CoordinatorDecision.newBuilder()
            .setRoundClosed(RoundClosed.newBuilder().setStatus("failed").setReason("quorum")));
  }

  /** Opens the next round from this base model instead of the current one. */
  long openFrom(long baseVersion, byte[] baseSha256) {
    round++;
    return add(
        round,
        CoordinatorDecision.newBuilder()
            .setRoundOpened(
                RoundOpened.newBuilder()
                    .setBaseModelVersion(baseVersion)
                    .setBaseModelSha256(ByteString.copyFrom(baseSha256))
                    .addParticipants("a")));
  }

  private void open() {
    openFrom(version, ModelEncoding.sha256(global));
  }

  private long close(double[] aggregate, boolean inPlaintext) {
    open();
    // Exactly RoundEngine: the aggregate enters the strategy as one update of weight 1.
    AggregationResult result =
        applied.aggregate(global, state, List.of(new SiteUpdate("secure-aggregate", aggregate, 1)));
    global = result.newGlobal();
    state = result.state();
    version++;
    RoundKey key = new RoundKey(STUDY, round);
    if (inPlaintext) {
      plaintext.add(key);
    } else {
      aggregates.put(key, aggregate.clone());
    }
    return add(
        round,
        CoordinatorDecision.newBuilder()
            .setRoundClosed(
                RoundClosed.newBuilder()
                    .setStatus("completed")
                    .addAggregatedSites("a")
                    .setNewModelVersion(version)
                    .setNewModelSha256(ByteString.copyFrom(ModelEncoding.sha256(global)))
                    .setAggregateSha256(
                        ByteString.copyFrom(ModelEncoding.sha256(result.meanDelta())))));
  }

  private long add(int round, CoordinatorDecision.Builder decision) {
    long index = entries.size();
    entries.add(
        new AuditedEntry(
            index,
            100 * index,
            LogEntry.newBuilder()
                .setTimeUnixMillis(1_700_000_000_000L + index)
                .setStudyId(STUDY)
                .setRound(round)
                .setDecision(decision)
                .build()));
    return index;
  }

  long studyOpenedIndex() {
    return 0;
  }

  Path contributions() {
    return contributions;
  }

  CheckResult audit() {
    return ModelStepCheck.run(entries, new RetainedPayloads(contributions), aggregates, plaintext);
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
