package org.medfed.coordinator.round;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.medfed.coordinator.round.ProtocolException.Kind;
import org.medfed.coordinator.round.SiteRoundResult.Outcome;
import org.medfed.coordinator.secagg.SecureRound;
import org.medfed.coordinator.study.StudyConfig;
import org.medfed.crypto.aggregation.SiteUpdate;
import org.medfed.crypto.secagg.AggregateResult;
import org.medfed.crypto.secagg.SecAggException;
import org.medfed.proto.v1.AdvertiseKeysRequest;
import org.medfed.proto.v1.AdvertisedKeys;
import org.medfed.proto.v1.EncryptedShare;
import org.medfed.proto.v1.RevealSharesRequest;
import org.medfed.proto.v1.SecureAggregationRound;
import org.medfed.proto.v1.ShareKeysRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round's secure aggregation as the round engine runs it: answers the sites' protocol messages
 * and runs phases 2 to 4 (share keys, masked input, unmasking) after training has collected the
 * advertised keys, each bounded by the study's phase deadline.
 *
 * <p>Not thread-safe on purpose: every method is called with the {@link RoundEngine}'s lock held,
 * and the engine signals its condition after each answer. The engine also owns which phase is open
 * and checks, before calling in, that a message belongs to this round's open step and that the site
 * has not answered it yet ({@link #answered()}).
 */
final class SecurePhases {
  // The entries keep the logger they had before this class was split out of the engine, so log
  // lines (which print the logger's name) and filters on them do not change.
  private static final Logger log = LoggerFactory.getLogger(RoundEngine.class);

  /** The phases after training, in the order they run. */
  public enum Step {
    SHARE_KEYS,
    MASKED_INPUT,
    UNMASKING;

    /** The name sites and logs see, e.g. {@code share-keys}. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** The engine's side of a step: called with its lock held. */
  @FunctionalInterface
  public interface StepRunner {
    /**
     * Opens the step to these sites, posts each its {@link #taskFor} task, and returns with the
     * step closed once every site has answered or the deadline has passed.
     */
    void run(Step step, List<String> sites, Instant deadline) throws InterruptedException;
  }

  private final String studyId;
  private final int round;
  private final Duration phaseDeadline;
  private final Clock clock;
  private final SecureRound secure;
  // The step open now: each site's own task, and who answered.
  private final Map<String, SiteTask> tasks = new TreeMap<>();
  private final Set<String> answered = new TreeSet<>();

  private SecurePhases(StudyConfig study, int round, Clock clock, SecureRound secure) {
    this.studyId = study.id();
    this.round = round;
    this.phaseDeadline = study.secureAggregation().phaseDeadline();
    this.clock = clock;
    this.secure = secure;
  }

  /**
   * Opens secure aggregation for a round of a study that has it configured.
   *
   * @throws IllegalArgumentException if the configuration cannot run with these participants; the
   *     message says why
   */
  public static SecurePhases open(
      StudyConfig study,
      int round,
      List<String> participants,
      X509Certificate consortiumCa,
      SecureRandom random,
      Clock clock) {
    SecureRound secure =
        SecureRound.open(
            study.id(),
            round,
            participants,
            study.model().parameterCount(),
            study.secureAggregation(),
            study.privacy(),
            study.localTraining().learningRate(),
            consortiumCa,
            random,
            clock);
    return new SecurePhases(study, round, clock, secure);
  }

  /** What the training task tells the sites about the round's secure aggregation. */
  public SecureAggregationRound spec() {
    return secure.spec();
  }

  /** The task of a site in the open step, or null if it has none. */
  public SiteTask taskFor(String site) {
    return tasks.get(site);
  }

  /** The sites that have answered the open step. */
  public Set<String> answered() {
    return Collections.unmodifiableSet(answered);
  }

  // ---- the protocol messages; the engine has checked phase, round, participant and replay ----

  /** Phase 1, during training, in place of an update. */
  public void advertise(String site, AdvertiseKeysRequest request) throws ProtocolException {
    step(site, "advertised keys", () -> secure.advertise(site, request));
  }

  public void shareKeys(String site, ShareKeysRequest request) throws ProtocolException {
    step(site, "key shares", () -> secure.share(site, request));
    answered.add(site);
  }

  /** Refuses a masked upload of the wrong length before its vector is streamed. */
  public void checkMaskedInputLength(int vectorLength) throws ProtocolException {
    int expected = secure.spec().getVectorLength();
    if (vectorLength != expected) {
      throw new ProtocolException(
          Kind.INVALID,
          "the masked input has " + vectorLength + " elements, the round expects " + expected);
    }
  }

  public void maskedInput(String site, int[] masked) throws ProtocolException {
    step(site, "masked input", () -> secure.maskedInput(site, masked));
    answered.add(site);
    log.atInfo()
        .setMessage("masked input received")
        .addKeyValue("round", round)
        .addKeyValue("site", site)
        .log();
  }

  public void reveal(String site, RevealSharesRequest request) throws ProtocolException {
    try {
      step(site, "revealed shares", () -> secure.reveal(site, request));
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(Kind.INVALID, e.getMessage());
    }
    answered.add(site);
  }

  private interface ProtocolStep {
    void run() throws SecAggException;
  }

  /**
   * Runs one protocol step; a refused message changes nothing and the round goes on, so the site
   * may still send a correct one before the deadline.
   */
  private void step(String site, String what, ProtocolStep step) throws ProtocolException {
    try {
      step.run();
    } catch (SecAggException e) {
      Kind kind =
          switch (e.reason()) {
            case WRONG_ROUND, WRONG_PHASE, REPLAY, ROUND_FAILED, BELOW_THRESHOLD -> Kind.NOT_NOW;
            case WRONG_SENDER, WRONG_RECIPIENT, BAD_SIGNATURE -> Kind.NOT_PARTICIPANT;
            case WRONG_LENGTH, DECRYPTION_FAILED, INCONSISTENT, PRIVACY_VIOLATION -> Kind.INVALID;
          };
      log.atWarn()
          .setMessage("secure-aggregation message refused")
          .addKeyValue("round", round)
          .addKeyValue("site", site)
          .addKeyValue("message", what)
          .addKeyValue("reason", e.getMessage())
          .log();
      throw new ProtocolException(kind, what + " refused: " + e.getMessage());
    }
  }

  // ---- phases 2 to 4 ----

  /**
   * Runs phases 2 to 4 once training has closed. A site that drops is recorded in {@code results};
   * the protocol fails the round, revealing nothing, once fewer than the threshold remain.
   */
  public Collected collect(Map<String, SiteRoundResult> results, StepRunner runner)
      throws InterruptedException {
    try {
      List<AdvertisedKeys> keys = secure.closeAdvertising();
      Instant sharingDeadline = clock.instant().plus(phaseDeadline);
      Map<String, SiteTask> shareTasks = new TreeMap<>();
      keys.forEach(
          k ->
              shareTasks.putIfAbsent(
                  k.getSiteId(), new SiteTask.ShareKeys(studyId, round, keys, sharingDeadline)));
      runStep(Step.SHARE_KEYS, shareTasks, sharingDeadline, results, "no key shares", runner);
      Map<String, List<EncryptedShare>> routed = secure.closeSharing();
      Instant maskingDeadline = clock.instant().plus(phaseDeadline);
      Map<String, SiteTask> maskTasks = new TreeMap<>();
      routed.forEach(
          (site, shares) ->
              maskTasks.put(site, new SiteTask.MaskInput(studyId, round, shares, maskingDeadline)));
      runStep(Step.MASKED_INPUT, maskTasks, maskingDeadline, results, "no masked input", runner);
      List<String> contributors = secure.closeMasking();
      Instant unmaskDeadline = clock.instant().plus(phaseDeadline);
      Map<String, SiteTask> unmaskTasks = new TreeMap<>();
      contributors.forEach(
          site ->
              unmaskTasks.put(
                  site, new SiteTask.Unmask(studyId, round, contributors, unmaskDeadline)));
      // A contributor that does not reveal is still in the sum; it is not dropped.
      runStep(Step.UNMASKING, unmaskTasks, unmaskDeadline, new TreeMap<>(), "", runner);
      AggregateResult result = secure.finish();
      double[] mean = secure.meanUpdate(result.sum());
      log.atInfo()
          .setMessage("secure aggregate unmasked")
          .addKeyValue("round", round)
          .addKeyValue("contributors", result.contributors())
          .addKeyValue("dropped", result.dropped())
          .addKeyValue("errorBound", result.errorBound())
          .log();
      // The sum is already weighted, so it enters the strategy as one update of weight 1.
      return new Collected.Updates(
          List.of(new SiteUpdate("secure-aggregate", mean, 1)), result.contributors());
    } catch (SecAggException e) {
      return new Collected.Failed("secure aggregation failed: " + e.getMessage());
    }
  }

  private void runStep(
      Step step,
      Map<String, SiteTask> stepTasks,
      Instant deadline,
      Map<String, SiteRoundResult> results,
      String missing,
      StepRunner runner)
      throws InterruptedException {
    tasks.clear();
    tasks.putAll(stepTasks);
    answered.clear();
    runner.run(step, List.copyOf(stepTasks.keySet()), deadline);
    for (String site : stepTasks.keySet()) {
      if (!answered.contains(site) && results.containsKey(site)) {
        results.put(
            site,
            new SiteRoundResult(
                site,
                Outcome.NO_ANSWER,
                missing
                    + " before the "
                    + phaseDeadline.toMillis()
                    + " ms deadline of the secure-aggregation "
                    + step.label()
                    + " phase",
                0,
                Double.NaN,
                null));
      }
    }
  }
}
