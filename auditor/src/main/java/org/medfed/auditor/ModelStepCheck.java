package org.medfed.auditor;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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
 * {@code model-step}: replays each study's global models. From the initial model retained under
 * {@code StudyOpened.initial_model_sha256} and the strategy {@code StudyOpened} logs, it applies
 * {@code crypto}'s own optimiser step to every completed round's aggregate as {@code
 * aggregate-recomputation} recomputed it from the masked contributions, in log order, and checks
 * that each {@code RoundClosed.new_model_sha256} is the digest of the result and that each {@code
 * RoundOpened} starts from the model replayed so far. A failed round leaves model and optimiser
 * state as they were.
 *
 * <p>A plaintext round has no masked contributions, so its aggregate, and every model after it,
 * cannot be replayed without plaintext: the chain ends there and the rounds are counted, not
 * failed. After a failure the chain ends too, so that one wrong step is reported once, where it
 * happened.
 */
final class ModelStepCheck {
  static final String NAME = "model-step";

  private ModelStepCheck() {}

  /** Whether the check reads {@code entry}: it replays from the coordinator's decisions only. */
  static boolean reads(LogEntry entry) {
    return entry.hasDecision();
  }

  /**
   * @param entries every entry {@link #reads} in log order (more do no harm)
   */
  static CheckResult run(
      List<AuditedEntry> entries, RetainedPayloads retained, AggregateCheck.Recomputed aggregates) {
    if (!retained.available()) {
      return CheckResult.skipped(
          NAME, "no contributions folder next to the log, so no initial model to replay from");
    }
    return run(entries, retained, aggregates.aggregates(), aggregates.plaintext());
  }

  /**
   * @param aggregates the recomputed aggregate of each completed secure round whose logged digest
   *     it reproduces
   * @param plaintext the completed rounds that aggregated in plaintext
   */
  static CheckResult run(
      List<AuditedEntry> entries,
      RetainedPayloads retained,
      Map<RoundKey, double[]> aggregates,
      Set<RoundKey> plaintext) {
    List<Finding> failures = new ArrayList<>();
    Map<String, Replay> studies = new HashMap<>();
    Map<String, Integer> notReplayed = new LinkedHashMap<>();
    Set<String> strategies = new TreeSet<>();
    int replayed = 0;
    for (AuditedEntry audited : entries) {
      LogEntry entry = audited.entry();
      if (!entry.hasDecision()) {
        continue;
      }
      CoordinatorDecision decision = entry.getDecision();
      String study = entry.getStudyId();
      if (decision.hasStudyOpened()) {
        studies.put(study, Replay.open(audited, retained, failures));
        continue;
      }
      Replay replay = studies.get(study);
      if (replay == null) {
        // A round outside an opened study: the protocol check reports it.
        continue;
      }
      String where = "round " + entry.getRound() + " of study " + study;
      if (decision.hasRoundOpened()) {
        RoundOpened opened = decision.getRoundOpened();
        if (replay.model != null
            && (opened.getBaseModelVersion() != replay.version
                || !MessageDigest.isEqual(
                    opened.getBaseModelSha256().toByteArray(), replay.digest))) {
          failures.add(
              audited.finding(
                  where
                      + " opens from model version "
                      + opened.getBaseModelVersion()
                      + " with SHA-256 "
                      + hex(opened.getBaseModelSha256().toByteArray())
                      + " but the replayed model is version "
                      + replay.version
                      + " with SHA-256 "
                      + hex(replay.digest)));
          replay.end("after a failed replay");
        }
        continue;
      }
      if (!decision.hasRoundClosed()
          || !decision.getRoundClosed().getStatus().equals("completed")) {
        continue;
      }
      RoundClosed closed = decision.getRoundClosed();
      RoundKey key = new RoundKey(study, entry.getRound());
      double[] aggregate = aggregates.get(key);
      if (replay.model == null) {
        // Only a round that could otherwise be replayed makes a missing start a failure.
        if (aggregate != null) {
          replay.reportMissingStart(where, failures);
        }
        notReplayed.merge(
            plaintext.contains(key) ? "plaintext round" : replay.endedBecause, 1, Integer::sum);
        continue;
      }
      if (aggregate == null) {
        String reason = plaintext.contains(key) ? "plaintext round" : "aggregate not recomputed";
        notReplayed.merge(reason, 1, Integer::sum);
        replay.end(
            plaintext.contains(key)
                ? "after a plaintext round"
                : "after an aggregate not recomputed");
        continue;
      }
      AggregationResult step;
      try {
        // As the coordinator does: the unmasked sum is already the weighted mean, so it enters the
        // strategy as one update of weight 1.
        step =
            replay.strategy.aggregate(
                replay.model,
                replay.state,
                List.of(new SiteUpdate("secure-aggregate", aggregate, 1)));
      } catch (IllegalArgumentException | ArithmeticException e) {
        failures.add(
            audited.finding(
                where
                    + ": the "
                    + replay.strategy.name()
                    + " step cannot be replayed: "
                    + e.getMessage()));
        replay.end("after a failed replay");
        continue;
      }
      byte[] digest = ModelEncoding.sha256(step.newGlobal());
      if (!MessageDigest.isEqual(digest, closed.getNewModelSha256().toByteArray())) {
        failures.add(
            audited.finding(
                where
                    + ": the logged new model (SHA-256 "
                    + hex(closed.getNewModelSha256().toByteArray())
                    + ") is not the logged "
                    + replay.strategy.name()
                    + " step from model version "
                    + replay.version
                    + " and the recomputed aggregate, which gives SHA-256 "
                    + hex(digest)));
        replay.end("after a failed replay");
        continue;
      }
      replay.model = step.newGlobal();
      replay.state = step.state();
      replay.digest = digest;
      replay.version++;
      strategies.add(replay.strategy.name());
      replayed++;
    }
    StringBuilder summary =
        new StringBuilder()
            .append(replayed)
            .append(" new global models replayed from the retained initial model");
    if (!strategies.isEmpty()) {
      summary.append(" (").append(String.join(", ", strategies)).append(')');
    }
    notReplayed.forEach(
        (reason, count) ->
            summary.append(", ").append(count).append(" not recomputable: ").append(reason));
    return CheckResult.of(NAME, summary.toString(), failures, List.of());
  }

  private static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  /** One study's replay: the model and optimiser state reached so far, or why the chain ended. */
  private static final class Replay {
    final AuditedEntry opened;
    Strategy strategy;
    double[] model;
    ServerState state;
    byte[] digest;
    long version;
    String endedBecause;
    // Why the study cannot start its replay, reported at StudyOpened once a round needs it.
    String missingStart;

    private Replay(AuditedEntry opened) {
      this.opened = opened;
    }

    static Replay open(AuditedEntry audited, RetainedPayloads retained, List<Finding> failures) {
      Replay replay = new Replay(audited);
      StudyOpened opened = audited.entry().getDecision().getStudyOpened();
      String where = "study " + audited.entry().getStudyId();
      if (!opened.hasStrategy() || opened.getInitialModelSha256().isEmpty()) {
        replay.missingStart =
            where + ": StudyOpened logs no strategy or initial model to replay global models from";
        replay.endedBecause = "no strategy or initial model logged";
        return replay;
      }
      StrategyParameters parameters = opened.getStrategy();
      byte[] initialDigest = opened.getInitialModelSha256().toByteArray();
      try {
        replay.strategy =
            Strategy.of(
                parameters.getName(),
                parameters.getServerLearningRate(),
                parameters.getBeta1(),
                parameters.getBeta2(),
                parameters.getTau(),
                parameters.getProximalMu());
        Optional<byte[]> initial = retained.get(initialDigest);
        if (initial.isEmpty()) {
          replay.missingStart =
              where + ": the initial model (SHA-256 " + hex(initialDigest) + ") was not retained";
          replay.endedBecause = "initial model not retained";
          return replay;
        }
        double[] model = ModelEncoding.decode(initial.get());
        replay.state = replay.strategy.initialState(model.length);
        replay.model = model;
        replay.digest = initialDigest;
        replay.version = 0;
      } catch (IllegalArgumentException e) {
        failures.add(
            audited.finding(
                where + ": the logged strategy or initial model is unusable: " + e.getMessage()));
        replay.endedBecause = "after a failed replay";
      } catch (IOException | RetainedPayloads.TamperedPayload e) {
        failures.add(audited.finding(where + ": the initial model: " + e.getMessage()));
        replay.endedBecause = "after a failed replay";
      }
      return replay;
    }

    void end(String reason) {
      model = null;
      endedBecause = reason;
    }

    void reportMissingStart(String round, List<Finding> failures) {
      if (missingStart != null) {
        failures.add(opened.finding(missingStart + ", so " + round + " cannot be replayed"));
        missingStart = null;
      }
    }
  }
}
