package org.medfed.coordinator.round;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.coordinator.round.ProtocolException.Kind;
import org.medfed.coordinator.round.SiteRoundResult.EvaluationMetrics;
import org.medfed.coordinator.round.SiteRoundResult.Outcome;
import org.medfed.coordinator.store.StudyStore;
import org.medfed.coordinator.study.RoundFailurePolicy;
import org.medfed.coordinator.study.StudyConfig;
import org.medfed.crypto.aggregation.AggregationResult;
import org.medfed.crypto.aggregation.SiteUpdate;
import org.medfed.crypto.aggregation.Strategy;
import org.medfed.proto.v1.AdvertiseKeysRequest;
import org.medfed.proto.v1.RevealSharesRequest;
import org.medfed.proto.v1.ShareKeysRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one study: enrolment, then rounds of train → aggregate → evaluate, each phase bounded by a
 * deadline so that a silent site can delay a round but never stall it. Sites only ever reach the
 * engine through the methods below, called by the gRPC adapter with the identity from the site's
 * certificate.
 *
 * <p>All state is guarded by one lock; the study loop waits on a condition that every site message
 * signals, so a phase closes as soon as the last expected answer arrives. Under secure aggregation
 * a round's {@link SecurePhases} answers the protocol messages and runs phases 2 to 4; it has no
 * lock of its own and is only ever called with this one held, as are {@link OpenPhase} and {@link
 * DecisionLog}.
 */
public final class RoundEngine {
  private static final Logger log = LoggerFactory.getLogger(RoundEngine.class);

  private final StudyConfig study;
  private final Strategy strategy;
  private final StudyStore store;
  private final DecisionLog decisions;
  private final Clock clock;
  private final Duration enrolmentWindow;
  private final Map<String, SiteMailbox> mailboxes = new TreeMap<>();
  private final X509Certificate consortiumCa;
  private final SecureRandom random = new SecureRandom();
  private final List<PhaseListener> phaseListeners = new CopyOnWriteArrayList<>();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private StudyCheckpoint checkpoint;
  private double[] global;
  private OpenPhase phase;

  /**
   * Opens the study's store: resumes from its checkpoint when there is one for the same study file,
   * otherwise starts a new study from a seeded initial model.
   */
  public RoundEngine(
      StudyConfig study,
      String configDigest,
      Strategy strategy,
      StudyStore store,
      ExchangeLog exchangeLog,
      Duration enrolmentWindow,
      X509Certificate consortiumCa,
      Clock clock) {
    this.study = study;
    this.consortiumCa = consortiumCa;
    // StudyOpened logs the configured strategy: an auditor replays that one, so apply no other.
    if (!study.strategy().strategy().equals(strategy)) {
      throw new IllegalArgumentException(
          "the strategy " + strategy + " is not the study's configured " + study.strategy());
    }
    this.strategy = strategy;
    this.store = store;
    this.decisions = new DecisionLog(study.id(), exchangeLog);
    this.clock = clock;
    this.enrolmentWindow = enrolmentWindow;
    study.sites().forEach(site -> mailboxes.put(site, new SiteMailbox()));
    Optional<StudyCheckpoint> saved = store.load();
    if (saved.isPresent()) {
      StudyCheckpoint resumed = saved.get();
      if (!resumed.studyId().equals(study.id()) || !resumed.configDigest().equals(configDigest)) {
        throw new IllegalStateException(
            "the data directory "
                + store.directory()
                + " holds study '"
                + resumed.studyId()
                + "' started from a different study file; use a new data directory or the"
                + " original study file");
      }
      this.checkpoint = resumed;
      this.global = store.loadModel(resumed.modelVersion(), resumed.modelSha256());
      log.atInfo()
          .setMessage("study resumed from checkpoint")
          .addKeyValue("study", study.id())
          .addKeyValue("status", resumed.status())
          .addKeyValue("nextRound", resumed.nextRound())
          .addKeyValue("modelVersion", resumed.modelVersion())
          .log();
    } else {
      this.global = initialModel(study.model().parameterCount(), study.seed());
      String sha = store.saveModel(0, global);
      Map<String, Enrolment> enrolment = new TreeMap<>();
      study.sites().forEach(site -> enrolment.put(site, Enrolment.invited(site)));
      this.checkpoint =
          new StudyCheckpoint(
              study.id(),
              configDigest,
              StudyStatus.ENROLLING,
              "",
              1,
              0,
              sha,
              strategy.initialState(global.length),
              enrolment,
              List.of());
      store.save(checkpoint);
      decisions.studyOpened(configDigest, study.sites(), study.strategy(), sha, global);
    }
  }

  /** Observes each phase as it opens, before its tasks reach the sites. */
  @FunctionalInterface
  public interface PhaseListener {
    /**
     * Called on the study thread with the engine's lock held: it must return quickly.
     *
     * @param phase training, share-keys, masked-input, unmasking or evaluation
     * @param sites the sites the phase waits for
     */
    void phaseOpened(int round, String phase, List<String> sites);
  }

  public void addPhaseListener(PhaseListener listener) {
    phaseListeners.add(listener);
  }

  /** Runs the study to its end; returns early only when interrupted. */
  public void run() throws InterruptedException {
    lock.lock();
    try {
      if (checkpoint.status() == StudyStatus.ENROLLING) {
        enrol();
      }
      while (checkpoint.status() == StudyStatus.RUNNING
          && checkpoint.nextRound() <= study.rounds()) {
        runRound(checkpoint.nextRound());
      }
      if (checkpoint.status() == StudyStatus.RUNNING) {
        long completed = checkpoint.roundsCompleted();
        if (completed == 0) {
          finish(
              StudyStatus.FAILED,
              "none of the "
                  + study.rounds()
                  + " rounds completed (last: "
                  + checkpoint.rounds().getLast().reason()
                  + ")");
        } else {
          finish(
              StudyStatus.COMPLETED,
              completed == study.rounds()
                  ? ""
                  : completed + " of " + study.rounds() + " rounds completed");
        }
      }
      announceEnd();
    } finally {
      lock.unlock();
    }
  }

  // ---- called by the federation service, with the identity from the site's certificate ----

  /** A site connected; re-sends whatever it should be working on (it may have restarted). */
  public void siteJoined(String site) throws ProtocolException {
    SiteMailbox mailbox = mailboxOf(site);
    lock.lock();
    try {
      log.atInfo().setMessage("site joined").addKeyValue("site", site).log();
      if (checkpoint.status().finished()) {
        mailbox.post(endedTask());
        return;
      }
      // A site that accepted may have restarted and lost what it prepared for the study, so it is
      // invited again; answering again is idempotent.
      if (checkpoint.enrolment().get(site).status() != Enrolment.Status.DECLINED) {
        mailbox.post(new SiteTask.Invite(study.id()));
      }
      if (phase != null && phase.expects(site)) {
        mailbox.post(phase.taskFor(site));
      }
    } finally {
      lock.unlock();
    }
  }

  /** Long poll: the site's next task, or empty if none arrives within maxWait. */
  public Optional<SiteTask> nextTask(String site, Duration maxWait)
      throws ProtocolException, InterruptedException {
    return mailboxOf(site).take(maxWait);
  }

  public void answerInvitation(String site, String studyId, boolean accept, String reason)
      throws ProtocolException {
    mailboxOf(site);
    requireStudy(studyId);
    if (!accept && reason.isBlank()) {
      throw new ProtocolException(Kind.INVALID, "a declined invitation must carry a reason");
    }
    lock.lock();
    try {
      if (checkpoint.status().finished()) {
        throw new ProtocolException(Kind.NOT_NOW, "study " + studyId + " has ended");
      }
      Enrolment answer =
          new Enrolment(
              site, accept ? Enrolment.Status.ACCEPTED : Enrolment.Status.DECLINED, reason);
      Map<String, Enrolment> enrolment = new TreeMap<>(checkpoint.enrolment());
      enrolment.put(site, answer);
      checkpoint = checkpoint.withEnrolment(enrolment);
      store.save(checkpoint);
      log.atInfo()
          .setMessage(accept ? "site accepted the study" : "site declined the study")
          .addKeyValue("study", studyId)
          .addKeyValue("site", site)
          .addKeyValue("reason", reason)
          .log();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  public void declineRound(String site, String studyId, int round, String reason)
      throws ProtocolException {
    if (reason.isBlank()) {
      throw new ProtocolException(Kind.INVALID, "a declined round must carry a reason");
    }
    lock.lock();
    try {
      OpenPhase open = requireTraining(site, studyId, round);
      open.record(site, Outcome.DECLINED, reason);
      log.atInfo()
          .setMessage("site declined the round")
          .addKeyValue("round", round)
          .addKeyValue("site", site)
          .addKeyValue("reason", reason)
          .log();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Checks an update's header before its vector is streamed, so a doomed upload is refused at once.
   * A wrong length counts the site as failed for the round.
   */
  public void checkUpdateHeader(
      String site, String studyId, int round, long baseModelVersion, int vectorLength)
      throws ProtocolException {
    lock.lock();
    try {
      OpenPhase open = requireTraining(site, studyId, round);
      open.requirePlain();
      open.requireBaseVersion(baseModelVersion);
      requireLength(open, site, vectorLength);
    } finally {
      lock.unlock();
    }
  }

  /** Accepts a complete update for aggregation, or refuses it and counts the site as failed. */
  public void submitUpdate(String site, UpdateSubmission update) throws ProtocolException {
    lock.lock();
    try {
      OpenPhase open = requireTraining(site, update.studyId(), update.round());
      open.requirePlain();
      open.requireBaseVersion(update.baseModelVersion());
      requireLength(open, site, update.delta().length);
      for (int i = 0; i < update.delta().length; i++) {
        if (!Double.isFinite(update.delta()[i])) {
          throw refuse(open, site, "update element " + i + " is " + update.delta()[i]);
        }
      }
      if (update.numExamples() < 1) {
        throw refuse(open, site, "an update must report at least one training record");
      }
      open.updates.put(site, update);
      open.results.put(
          site,
          new SiteRoundResult(
              site, Outcome.UPDATED, "", update.numExamples(), update.trainLoss(), null));
      log.atInfo()
          .setMessage("update received")
          .addKeyValue("round", update.round())
          .addKeyValue("site", site)
          .addKeyValue("numExamples", update.numExamples())
          .log();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // ---- secure aggregation: the four protocol messages, answered by the round's SecurePhases ----

  /** Phase 1, in place of an update: the site trained and advertises its round keys. */
  public void advertiseKeys(String site, AdvertiseKeysRequest request) throws ProtocolException {
    lock.lock();
    try {
      OpenPhase open = requireTraining(site, request.getStudyId(), request.getRound());
      open.requireSecure().advertise(site, request);
      open.results.put(site, new SiteRoundResult(site, Outcome.UPDATED, "", 0, Double.NaN, null));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  public void shareKeys(String site, ShareKeysRequest request) throws ProtocolException {
    lock.lock();
    try {
      requireSecurePhase(site, request.getStudyId(), request.getRound(), PhaseKind.SHARE_KEYS)
          .secure
          .shareKeys(site, request);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Checks a masked upload's header before its vector is streamed. */
  public void checkMaskedInputHeader(
      String site, String studyId, int round, long baseModelVersion, int vectorLength)
      throws ProtocolException {
    lock.lock();
    try {
      OpenPhase open = requireSecurePhase(site, studyId, round, PhaseKind.MASKED_INPUT);
      open.requireBaseVersion(baseModelVersion);
      open.secure.checkMaskedInputLength(vectorLength);
    } finally {
      lock.unlock();
    }
  }

  public void submitMaskedInput(
      String site, String studyId, int round, long baseModelVersion, int[] masked)
      throws ProtocolException {
    lock.lock();
    try {
      OpenPhase open = requireSecurePhase(site, studyId, round, PhaseKind.MASKED_INPUT);
      open.requireBaseVersion(baseModelVersion);
      open.secure.maskedInput(site, masked);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  public void revealShares(String site, RevealSharesRequest request) throws ProtocolException {
    lock.lock();
    try {
      requireSecurePhase(site, request.getStudyId(), request.getRound(), PhaseKind.UNMASKING)
          .secure
          .reveal(site, request);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  public void submitEvaluation(String site, EvaluationReport report) throws ProtocolException {
    requireStudy(report.studyId());
    if (!(report.accuracy() >= 0 && report.accuracy() <= 1) || report.testRecords() < 1) {
      throw new ProtocolException(
          Kind.INVALID, "accuracy must be in [0, 1] and test records at least 1");
    }
    lock.lock();
    try {
      if (phase == null
          || phase.kind != PhaseKind.EVALUATION
          || phase.round != report.round()
          || phase.modelVersion != report.modelVersion()) {
        throw new ProtocolException(
            Kind.NOT_NOW,
            "no evaluation of model version "
                + report.modelVersion()
                + " in round "
                + report.round()
                + " is open");
      }
      if (!phase.participants.contains(site)) {
        throw new ProtocolException(
            Kind.NOT_PARTICIPANT, "site " + site + " is not evaluating round " + report.round());
      }
      phase.evaluations.put(
          site,
          new EvaluationMetrics(
              report.testRecords(), report.accuracy(), report.auc(), report.loss()));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Counts the site as failed for the round after its upload broke a rule the adapter checks (a
   * malformed chunk, a digest mismatch); the round goes on without it.
   */
  public void rejectUpdate(String site, String studyId, int round, String reason)
      throws ProtocolException {
    lock.lock();
    try {
      throw refuse(requireTraining(site, studyId, round), site, reason);
    } finally {
      lock.unlock();
    }
  }

  /** The weights of a global model version; only the current one is served. */
  public double[] model(String studyId, long version) throws ProtocolException {
    requireStudy(studyId);
    lock.lock();
    try {
      if (version != checkpoint.modelVersion()) {
        throw new ProtocolException(
            Kind.NOT_FOUND,
            "model version "
                + version
                + " is not the current global model (current: "
                + checkpoint.modelVersion()
                + ")");
      }
      return global.clone();
    } finally {
      lock.unlock();
    }
  }

  // ---- read side, for the REST API and tests ----

  public StudyConfig study() {
    return study;
  }

  public StudyView view() {
    lock.lock();
    try {
      return new StudyView(
          study,
          checkpoint,
          phase == null ? 0 : phase.round,
          phase == null ? "" : phase.kind.name().toLowerCase(java.util.Locale.ROOT),
          phase == null ? null : phase.deadline);
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the study has ended; returns false on timeout. */
  public boolean awaitEnd(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!checkpoint.status().finished()) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        changed.await(remaining, TimeUnit.NANOSECONDS);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  // ---- the study loop (lock held) ----

  private void enrol() throws InterruptedException {
    checkpoint.enrolment().values().stream()
        .filter(e -> e.status() == Enrolment.Status.INVITED)
        .forEach(e -> mailboxes.get(e.site()).post(new SiteTask.Invite(study.id())));
    Instant deadline = clock.instant().plus(enrolmentWindow);
    log.atInfo()
        .setMessage("enrolment open")
        .addKeyValue("study", study.id())
        .addKeyValue("sites", study.sites())
        .addKeyValue("deadline", deadline)
        .log();
    awaitUntil(deadline, () -> countEnrolment(Enrolment.Status.INVITED) == 0);
    long accepted = countEnrolment(Enrolment.Status.ACCEPTED);
    if (accepted < study.minSites()) {
      finish(
          StudyStatus.FAILED,
          "enrolment closed with "
              + accepted
              + " of "
              + study.sites().size()
              + " sites accepted, min-sites is "
              + study.minSites()
              + " ("
              + describeEnrolment()
              + ")");
      return;
    }
    checkpoint = checkpoint.withStatus(StudyStatus.RUNNING, "");
    store.save(checkpoint);
    log.atInfo()
        .setMessage("enrolment closed")
        .addKeyValue("study", study.id())
        .addKeyValue("accepted", accepted)
        .addKeyValue("detail", describeEnrolment())
        .log();
  }

  private void runRound(int round) throws InterruptedException {
    Instant openedAt = clock.instant();
    List<String> participants =
        checkpoint.enrolment().values().stream()
            .filter(e -> e.status() == Enrolment.Status.ACCEPTED)
            .map(Enrolment::site)
            .toList();
    long baseVersion = checkpoint.modelVersion();
    // Logged before any task is posted, so every delivery of this round follows it in the log.
    decisions.roundOpened(
        round,
        baseVersion,
        checkpoint.modelSha256(),
        participants,
        openedAt.plus(study.roundDeadline()));
    SecurePhases secure = null;
    String cannotSecure = null;
    if (study.secureAggregation() != null) {
      try {
        secure = SecurePhases.open(study, round, participants, consortiumCa, random, clock);
      } catch (IllegalArgumentException e) {
        cannotSecure = "secure aggregation cannot run with these participants: " + e.getMessage();
      }
    }
    Map<String, SiteRoundResult> results = new TreeMap<>();
    Collected collected;
    if (cannotSecure != null) {
      participants.forEach(
          site ->
              results.put(
                  site,
                  new SiteRoundResult(
                      site, Outcome.NO_ANSWER, "round not started", 0, Double.NaN, null)));
      collected = new Collected.Failed(cannotSecure);
    } else {
      OpenPhase training =
          openPhase(round, PhaseKind.TRAINING, baseVersion, participants, openedAt, secure);
      log.atInfo()
          .setMessage("round opened")
          .addKeyValue("study", study.id())
          .addKeyValue("round", round)
          .addKeyValue("modelVersion", baseVersion)
          .addKeyValue("participants", participants)
          .addKeyValue("secureAggregation", secure != null)
          .addKeyValue("deadline", training.deadline)
          .log();
      awaitUntil(training.deadline, training::allAnswered);
      phase = null;
      String missing = secure == null ? "no update" : "no advertised keys";
      for (String site : participants) {
        training.results.putIfAbsent(
            site,
            new SiteRoundResult(
                site,
                Outcome.NO_ANSWER,
                missing + " before the " + study.roundDeadline().toMillis() + " ms deadline",
                0,
                Double.NaN,
                null));
      }
      results.putAll(training.results);
      collected =
          secure == null
              ? collectPlain(training)
              : training.secure.collect(
                  results,
                  (step, sites, deadline) ->
                      runSecurePhase(round, baseVersion, training.secure, step, sites, deadline));
    }
    for (SiteRoundResult result : results.values()) {
      if (result.outcome() != Outcome.UPDATED) {
        decisions.siteDropped(round, result);
      }
    }
    List<SiteRoundResult> resultList = List.copyOf(results.values());
    if (collected instanceof Collected.Updates u && u.sites().size() < study.minSites()) {
      collected =
          new Collected.Failed(
              u.sites().size()
                  + " of "
                  + participants.size()
                  + " sites sent a valid update before the deadline, min-sites is "
                  + study.minSites()
                  + " ("
                  + describeFailures(resultList)
                  + ")");
    }
    if (collected instanceof Collected.Failed(String reason)) {
      RoundRecord failed =
          new RoundRecord(
              round,
              RoundRecord.Status.FAILED,
              reason,
              openedAt,
              clock.instant(),
              baseVersion,
              resultList);
      checkpoint = checkpoint.withFailedRound(failed);
      store.save(checkpoint);
      decisions.roundFailed(round, reason);
      log.atWarn()
          .setMessage("round failed")
          .addKeyValue("study", study.id())
          .addKeyValue("round", round)
          .addKeyValue("reason", reason)
          .log();
      if (study.onRoundFailure() == RoundFailurePolicy.STOP) {
        finish(StudyStatus.FAILED, "round " + round + " failed: " + reason);
      }
      return;
    }
    Collected.Updates updates = (Collected.Updates) collected;
    AggregationResult aggregated =
        strategy.aggregate(global, checkpoint.serverState(), updates.updates());
    long newVersion = baseVersion + 1;
    String sha = store.saveModel(newVersion, aggregated.newGlobal());
    global = aggregated.newGlobal();
    RoundRecord completed =
        new RoundRecord(
            round,
            RoundRecord.Status.COMPLETED,
            "",
            openedAt,
            clock.instant(),
            newVersion,
            resultList);
    checkpoint = checkpoint.withCompletedRound(completed, sha, aggregated.state());
    store.save(checkpoint);
    decisions.roundCompleted(round, updates.sites(), newVersion, sha, aggregated.meanDelta());
    log.atInfo()
        .setMessage("round aggregated")
        .addKeyValue("study", study.id())
        .addKeyValue("round", round)
        .addKeyValue("modelVersion", newVersion)
        .addKeyValue("sites", updates.sites().size())
        .addKeyValue("modelSha256", sha)
        .log();

    // Evaluate the new model at every site that is alive (answered the training phase somehow).
    List<String> alive =
        resultList.stream()
            .filter(r -> r.outcome() != Outcome.NO_ANSWER)
            .map(r -> r.site())
            .toList();
    OpenPhase evaluation =
        openPhase(round, PhaseKind.EVALUATION, newVersion, alive, clock.instant(), null);
    awaitUntil(evaluation.deadline, evaluation::allAnswered);
    phase = null;
    List<SiteRoundResult> withMetrics =
        resultList.stream()
            .map(r -> r.withEvaluation(evaluation.evaluations.get(r.site())))
            .toList();
    RoundRecord evaluated =
        new RoundRecord(
            round,
            RoundRecord.Status.COMPLETED,
            "",
            openedAt,
            clock.instant(),
            newVersion,
            withMetrics);
    checkpoint = checkpoint.withLastRoundReplaced(evaluated);
    store.save(checkpoint);
    log.atInfo()
        .setMessage("round completed")
        .addKeyValue("study", study.id())
        .addKeyValue("round", round)
        .addKeyValue("modelVersion", newVersion)
        .addKeyValue("evaluations", evaluation.evaluations.size())
        .addKeyValue(
            "clientAverageAccuracy",
            evaluated.clientAverageAccuracy().isPresent()
                ? evaluated.clientAverageAccuracy().getAsDouble()
                : Double.NaN)
        .log();
  }

  private Collected collectPlain(OpenPhase training) {
    List<SiteUpdate> updates =
        training.updates.entrySet().stream()
            .map(e -> new SiteUpdate(e.getKey(), e.getValue().delta(), e.getValue().numExamples()))
            .toList();
    return new Collected.Updates(updates, List.copyOf(training.updates.keySet()));
  }

  /** Opens one of secure aggregation's phases 2 to 4 and waits for it to close (lock held). */
  private void runSecurePhase(
      int round,
      long baseVersion,
      SecurePhases secure,
      SecurePhases.Step step,
      List<String> sites,
      Instant deadline)
      throws InterruptedException {
    phase =
        new OpenPhase(
            study.id(), round, PhaseKind.of(step), baseVersion, deadline, 0, sites, secure);
    announce(phase);
    for (String site : phase.participants) {
      mailboxes.get(site).post(phase.taskFor(site));
    }
    OpenPhase open = phase;
    awaitUntil(deadline, open::allAnswered);
    phase = null;
  }

  private OpenPhase openPhase(
      int round,
      PhaseKind kind,
      long version,
      List<String> participants,
      Instant from,
      SecurePhases secure) {
    Instant deadline = from.plus(study.roundDeadline());
    long seed = study.seed() * 1_000_003L + round;
    phase = new OpenPhase(study.id(), round, kind, version, deadline, seed, participants, secure);
    announce(phase);
    for (String site : participants) {
      mailboxes.get(site).post(phase.taskFor(site));
    }
    return phase;
  }

  private void announce(OpenPhase open) {
    String name = open.kind.label();
    List<String> sites = List.copyOf(open.participants);
    log.atInfo()
        .setMessage("phase opened")
        .addKeyValue("round", open.round)
        .addKeyValue("phase", name)
        .addKeyValue("sites", sites)
        .addKeyValue("deadline", open.deadline)
        .log();
    phaseListeners.forEach(listener -> listener.phaseOpened(open.round, name, sites));
  }

  private void finish(StudyStatus status, String outcome) {
    checkpoint = checkpoint.withStatus(status, outcome);
    store.save(checkpoint);
    decisions.studyClosed(checkpoint.nextRound() - 1, status, outcome);
    log.atInfo()
        .setMessage("study ended")
        .addKeyValue("study", study.id())
        .addKeyValue("status", status)
        .addKeyValue("outcome", outcome)
        .addKeyValue("roundsCompleted", checkpoint.roundsCompleted())
        .log();
    changed.signalAll();
  }

  private void announceEnd() {
    SiteTask ended = endedTask();
    mailboxes.values().forEach(mailbox -> mailbox.post(ended));
  }

  private SiteTask.Ended endedTask() {
    String outcome =
        checkpoint.status() == StudyStatus.COMPLETED
            ? "completed"
            : "failed: " + checkpoint.outcome();
    return new SiteTask.Ended(study.id(), outcome, checkpoint.modelVersion());
  }

  private void awaitUntil(Instant deadline, java.util.function.BooleanSupplier done)
      throws InterruptedException {
    while (!done.getAsBoolean()) {
      long remaining = Duration.between(clock.instant(), deadline).toNanos();
      if (remaining <= 0) {
        return;
      }
      changed.await(remaining, TimeUnit.NANOSECONDS);
    }
  }

  // ---- checks shared by the site-facing methods (lock held) ----

  private SiteMailbox mailboxOf(String site) throws ProtocolException {
    SiteMailbox mailbox = mailboxes.get(site);
    if (mailbox == null) {
      throw new ProtocolException(
          Kind.NOT_PARTICIPANT, "site " + site + " is not invited to study " + study.id());
    }
    return mailbox;
  }

  private void requireStudy(String studyId) throws ProtocolException {
    if (!study.id().equals(studyId)) {
      throw new ProtocolException(Kind.NOT_FOUND, "unknown study '" + studyId + "'");
    }
  }

  private OpenPhase requireTraining(String site, String studyId, int round)
      throws ProtocolException {
    requireStudy(studyId);
    return OpenPhase.requireTraining(phase, site, round);
  }

  private OpenPhase requireSecurePhase(String site, String studyId, int round, PhaseKind kind)
      throws ProtocolException {
    requireStudy(studyId);
    return OpenPhase.requireSecurePhase(phase, site, round, kind);
  }

  private void requireLength(OpenPhase open, String site, int length) throws ProtocolException {
    int expected = study.model().parameterCount();
    if (length != expected) {
      throw refuse(open, site, "the update has " + length + " elements, the model has " + expected);
    }
  }

  /** Counts the site as failed for this round and returns the exception to throw. */
  private ProtocolException refuse(OpenPhase open, String site, String reason) {
    open.record(site, Outcome.REFUSED, reason);
    log.atWarn()
        .setMessage("update refused")
        .addKeyValue("round", open.round)
        .addKeyValue("site", site)
        .addKeyValue("reason", reason)
        .log();
    changed.signalAll();
    return new ProtocolException(Kind.INVALID, reason);
  }

  private long countEnrolment(Enrolment.Status status) {
    return checkpoint.enrolment().values().stream().filter(e -> e.status() == status).count();
  }

  private String describeEnrolment() {
    return checkpoint.enrolment().values().stream()
        .map(
            e ->
                switch (e.status()) {
                  case ACCEPTED -> e.site() + " accepted";
                  case DECLINED -> e.site() + " declined: " + e.reason();
                  case INVITED -> e.site() + " did not answer";
                })
        .collect(Collectors.joining("; "));
  }

  private static String describeFailures(List<SiteRoundResult> results) {
    return results.stream()
        .filter(r -> r.outcome() != Outcome.UPDATED)
        .map(
            r ->
                r.site()
                    + ": "
                    + r.outcome().name().toLowerCase(java.util.Locale.ROOT)
                    + (r.detail().isEmpty() ? "" : " (" + r.detail() + ")"))
        .collect(Collectors.joining("; "));
  }

  /** Like PyTorch's nn.Linear default: uniform in ±1/√fan_in, so studies compare with FLamby. */
  static double[] initialModel(int parameterCount, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double bound = 1 / Math.sqrt(parameterCount - 1);
    double[] weights = new double[parameterCount];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = random.nextDouble(-bound, bound);
    }
    return weights;
  }
}
