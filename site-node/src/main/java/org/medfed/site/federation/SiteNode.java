package org.medfed.site.federation;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.medfed.crypto.dp.DistributedDiscreteGaussian;
import org.medfed.crypto.dp.SampledGaussian;
import org.medfed.crypto.secagg.SecAggException;
import org.medfed.proto.chunks.VectorAssembler;
import org.medfed.proto.chunks.VectorChunks;
import org.medfed.proto.secagg.SecureAggregationWire;
import org.medfed.proto.v1.AdvertiseKeysRequest;
import org.medfed.proto.v1.AnswerInvitationRequest;
import org.medfed.proto.v1.DeclineRoundRequest;
import org.medfed.proto.v1.DifferentialPrivacy;
import org.medfed.proto.v1.EvaluateTask;
import org.medfed.proto.v1.Feature;
import org.medfed.proto.v1.FederationGrpc;
import org.medfed.proto.v1.GetReceiptsRequest;
import org.medfed.proto.v1.GetReceiptsResponse;
import org.medfed.proto.v1.JoinRequest;
import org.medfed.proto.v1.JoinResponse;
import org.medfed.proto.v1.LocalOptimizer;
import org.medfed.proto.v1.MaskInputTask;
import org.medfed.proto.v1.MaskedChunk;
import org.medfed.proto.v1.MaskedInputHeader;
import org.medfed.proto.v1.PollTaskRequest;
import org.medfed.proto.v1.PollTaskResponse;
import org.medfed.proto.v1.PullModelRequest;
import org.medfed.proto.v1.PullModelResponse;
import org.medfed.proto.v1.PushMaskedInputRequest;
import org.medfed.proto.v1.PushMaskedInputResponse;
import org.medfed.proto.v1.PushUpdateRequest;
import org.medfed.proto.v1.PushUpdateResponse;
import org.medfed.proto.v1.ReportEvaluationRequest;
import org.medfed.proto.v1.RevealSharesRequest;
import org.medfed.proto.v1.SecureAggregationRound;
import org.medfed.proto.v1.ShareKeysRequest;
import org.medfed.proto.v1.ShareKeysTask;
import org.medfed.proto.v1.StudyInvitation;
import org.medfed.proto.v1.TrainTask;
import org.medfed.proto.v1.UnmaskTask;
import org.medfed.proto.v1.UpdateHeader;
import org.medfed.proto.v1.VectorChunk;
import org.medfed.site.data.DataException;
import org.medfed.site.data.RawTable;
import org.medfed.site.policy.LocalPolicy;
import org.medfed.site.policy.PolicyDecision;
import org.medfed.site.prep.FeatureSpec;
import org.medfed.site.prep.FlambyPreprocessing;
import org.medfed.site.prep.LabelSpec;
import org.medfed.site.prep.PreparedData;
import org.medfed.site.prep.TrainTestSplit;
import org.medfed.site.privacy.PrivacyGuard;
import org.medfed.site.receipts.ReceiptBook;
import org.medfed.site.receipts.ReceiptException;
import org.medfed.site.secagg.SecureAggregationSetup;
import org.medfed.site.secagg.SecureRoundClient;
import org.medfed.site.train.ClippedGradientSum;
import org.medfed.site.train.DpSgdSettings;
import org.medfed.site.train.DpSgdTrainer;
import org.medfed.site.train.Evaluation;
import org.medfed.site.train.LocalTrainer;
import org.medfed.site.train.Metrics;
import org.medfed.site.train.TrainingPlan;
import org.medfed.site.train.TrainingResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hospital's federation loop. It only dials out: join, long-poll for a task, do it, answer.
 * Records stay in this process; what leaves is a policy answer, a model update, or aggregate
 * metrics, and all of it passes the {@link EgressGuard}. A coordinator that is unreachable or
 * restarting is waited for, never treated as the end of the study.
 */
public final class SiteNode {
  private static final Logger log = LoggerFactory.getLogger(SiteNode.class);
  private static final Duration POLL_WAIT = Duration.ofSeconds(20);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final int UPLOAD_ATTEMPTS = 4;

  private final RawTable records;
  private final LocalPolicy policy;
  private final TrainTestSplit split;
  private final FederationGrpc.FederationBlockingStub blocking;
  private final FederationGrpc.FederationStub async;
  private final Map<String, StudyContext> studies = new HashMap<>();
  private final PrivacyGuard privacy;
  private final ReceiptBook receipts;
  private final Runnable onContact;
  private final SecureAggregationSetup secureAggregation;
  // The secure round this site is in; its secrets live only here, in memory.
  private SecureRound secureRound;
  private String siteId = "";
  private int maxChunkElements = VectorChunks.DEFAULT_MAX_CHUNK_ELEMENTS;
  private volatile boolean stopped;

  /**
   * @param records the site's records, already read and validated at start-up
   * @param split how the site divides its records into train and test
   */
  public SiteNode(
      RawTable records,
      TrainTestSplit split,
      LocalPolicy policy,
      ManagedChannel channel,
      EgressLedger ledger) {
    this(records, split, policy, PrivacyGuard.uncapped(), null, null, channel, ledger, () -> {});
  }

  /**
   * @param receipts where the site keeps its receipts, or null to not collect them
   * @param secureAggregation the site's identity for secure aggregation, or null: the site then
   *     declines every secure round
   * @param onContact called after every answered poll, e.g. to beat a heartbeat that a container
   *     health check reads
   */
  public SiteNode(
      RawTable records,
      TrainTestSplit split,
      LocalPolicy policy,
      PrivacyGuard privacy,
      ReceiptBook receipts,
      SecureAggregationSetup secureAggregation,
      ManagedChannel channel,
      EgressLedger ledger,
      Runnable onContact) {
    this.onContact = onContact;
    this.secureAggregation = secureAggregation;
    this.privacy = privacy;
    this.receipts = receipts;
    this.records = records;
    this.split = split;
    this.policy = policy;
    Channel guarded = SiteChannels.guarded(channel, ledger);
    this.blocking = FederationGrpc.newBlockingStub(guarded);
    this.async = FederationGrpc.newStub(guarded);
  }

  /** How a run of the loop ended. */
  public sealed interface Outcome {
    record StudyEnded(String studyId, String outcome) implements Outcome {}

    record Stopped() implements Outcome {}
  }

  /**
   * Runs until a study ends (when {@code untilStudyEnds}) or {@link #stop()} is called.
   *
   * @throws StatusRuntimeException when the coordinator refuses this site outright (for example its
   *     certificate is not invited), which retrying cannot fix
   * @throws ReceiptException when the coordinator's exchange log fails to prove itself (a forked or
   *     rewritten history): the site stops taking part
   */
  public Outcome run(boolean untilStudyEnds) throws InterruptedException, ReceiptException {
    Backoff backoff = new Backoff();
    boolean joined = false;
    while (!stopped) {
      try {
        if (!joined) {
          JoinResponse join =
              blocking
                  .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                  .join(JoinRequest.newBuilder().setSoftwareVersion("medfed-site 0.1").build());
          siteId = join.getSiteId();
          if (join.getMaxChunkElements() > 0) {
            maxChunkElements =
                Math.min(join.getMaxChunkElements(), VectorChunks.LIMIT_MAX_CHUNK_ELEMENTS);
          }
          joined = true;
          log.atInfo().setMessage("joined the coordinator").addKeyValue("site", siteId).log();
        }
        PollTaskResponse task =
            blocking
                .withDeadlineAfter(POLL_WAIT.plus(CALL_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS)
                .pollTask(
                    PollTaskRequest.newBuilder()
                        .setMaxWaitMillis((int) POLL_WAIT.toMillis())
                        .build());
        backoff.reset();
        onContact.run();
        if (task.hasStudyEnded()) {
          log.atInfo()
              .setMessage("study ended")
              .addKeyValue("study", task.getStudyEnded().getStudyId())
              .addKeyValue("outcome", task.getStudyEnded().getOutcome())
              .log();
          collectReceipts();
          if (untilStudyEnds) {
            return new Outcome.StudyEnded(
                task.getStudyEnded().getStudyId(), task.getStudyEnded().getOutcome());
          }
        }
        try {
          switch (task.getTaskCase()) {
            case INVITATION -> answerInvitation(task.getInvitation());
            case TRAIN -> train(task.getTrain());
            case EVALUATE -> evaluate(task.getEvaluate());
            case SHARE_KEYS -> shareKeys(task.getShareKeys());
            case MASK_INPUT -> maskInput(task.getMaskInput());
            case UNMASK -> unmask(task.getUnmask());
            case STUDY_ENDED, NO_TASK, TASK_NOT_SET -> {}
          }
        } catch (StatusRuntimeException e) {
          if (retryable(e.getStatus())) {
            throw e;
          }
          // A refused message costs this task, not the site: the next task may well succeed.
          log.atWarn()
              .setMessage("coordinator refused a message")
              .addKeyValue("task", task.getTaskCase())
              .addKeyValue("status", e.getStatus().getCode())
              .addKeyValue("reason", e.getStatus().getDescription())
              .log();
        }
      } catch (StatusRuntimeException e) {
        if (!retryable(e.getStatus())) {
          throw e;
        }
        // The coordinator may be restarting: join again once it is back, it re-sends our task.
        joined = false;
        log.atInfo()
            .setMessage("coordinator unreachable, retrying")
            .addKeyValue("status", e.getStatus().getCode())
            .addKeyValue("detail", e.getStatus().getDescription())
            .log();
        backoff.sleep();
      }
    }
    return new Outcome.Stopped();
  }

  public void stop() {
    stopped = true;
  }

  // ---- tasks ----

  private void answerInvitation(StudyInvitation invitation) {
    List<FeatureSpec> features = new ArrayList<>();
    LinkedHashSet<String> columns = new LinkedHashSet<>();
    for (Feature feature : invitation.getModel().getFeaturesList()) {
      features.add(new FeatureSpec(feature.getColumn(), feature.getIndicatorLevel()));
      columns.add(feature.getColumn());
    }
    String label = invitation.getModel().getLabelColumn();
    String declineReason = "";
    PolicyDecision decision =
        policy.check(invitation.getModel().getModelType(), List.copyOf(columns), label);
    if (decision instanceof PolicyDecision.Decline decline) {
      declineReason = decline.reason();
    } else if (invitation.getModel().getParameterCount() != features.size() + 1) {
      declineReason =
          "the study's parameter count "
              + invitation.getModel().getParameterCount()
              + " does not fit a logistic regression on "
              + features.size()
              + " features";
    } else {
      try {
        PreparedData data =
            FlambyPreprocessing.prepare(
                records,
                features,
                new LabelSpec(label, invitation.getModel().getLabelThreshold()),
                split);
        DpSgdSettings dp = invitation.hasPrivacy() ? settings(invitation.getPrivacy()) : null;
        double delta = invitation.hasPrivacy() ? invitation.getPrivacy().getDelta() : 0;
        declineReason =
            (dp != null && invitation.getPrivacy().getDistributedNoise()
                    // One noisy sum per round. Each round's real cost depends on its sites and
                    // threshold, so up front only the least it can cost is checked: all sites'
                    // noise, no rounding; every round is checked again before it is trained.
                    ? privacy.checkStudy(
                        dp.mechanism(), delta, invitation.getRounds(), data.trainRecords())
                    : privacy.checkStudy(
                        dp,
                        delta,
                        (long) invitation.getRounds() * invitation.getLocalSteps(),
                        data.trainRecords()))
                .orElse("");
        if (declineReason.isEmpty()) {
          studies.put(
              invitation.getStudyId(),
              new StudyContext(data, delta, invitation.getModel().getParameterCount()));
        }
      } catch (DataException e) {
        // The detail may quote a record's value: it stays in the site's own log.
        log.atWarn()
            .setMessage("records cannot be prepared for the study")
            .addKeyValue("study", invitation.getStudyId())
            .addKeyValue("detail", e.getMessage())
            .log();
        declineReason =
            "this site's records cannot be prepared for the study's model (details in the site's"
                + " log)";
      } catch (IllegalArgumentException e) {
        declineReason = "the study's settings are unusable: " + e.getMessage();
      }
    }
    boolean accept = declineReason.isEmpty();
    AnswerInvitationRequest.Builder answer =
        AnswerInvitationRequest.newBuilder()
            .setStudyId(invitation.getStudyId())
            .setAccept(accept)
            .setDeclineReason(declineReason);
    privacy
        .cap()
        .ifPresent(
            cap ->
                answer.setPrivacyCap(
                    org.medfed.proto.v1.PrivacyCap.newBuilder()
                        .setEpsilon(cap.epsilon())
                        .setDelta(cap.delta())));
    blocking
        .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .answerInvitation(answer.build());
    StudyContext joined = studies.get(invitation.getStudyId());
    PreparedData data = joined == null ? null : joined.data();
    log.atInfo()
        .setMessage(accept ? "accepted the study" : "declined the study")
        .addKeyValue("study", invitation.getStudyId())
        .addKeyValue("reason", declineReason)
        .addKeyValue("trainRecords", data == null ? 0 : data.trainRecords())
        .addKeyValue("testRecords", data == null ? 0 : data.testRecords())
        .log();
  }

  private void train(TrainTask task) throws InterruptedException {
    StudyContext study = studies.get(task.getStudyId());
    if (study == null) {
      declineRound(task, "this site has not accepted study " + task.getStudyId());
      return;
    }
    if (Instant.now().toEpochMilli() > task.getDeadlineUnixMillis()) {
      log.atInfo()
          .setMessage("train task arrived after its deadline")
          .addKeyValue("round", task.getRound())
          .log();
      return;
    }
    TrainingPlan plan;
    try {
      plan =
          new TrainingPlan(
              task.getPlan().getLocalSteps(),
              task.getPlan().getBatchSize(),
              task.getPlan().getLearningRate(),
              task.getPlan().getOptimizer() == LocalOptimizer.LOCAL_OPTIMIZER_ADAM
                  ? org.medfed.site.train.LocalOptimizer.ADAM
                  : org.medfed.site.train.LocalOptimizer.SGD,
              task.getPlan().getProximalMu());
    } catch (IllegalArgumentException e) {
      declineRound(task, "the training plan is invalid: " + e.getMessage());
      return;
    }
    PreparedData data = study.data();
    DpSgdSettings dp = null;
    if (task.getPlan().hasPrivacy()) {
      try {
        dp = settings(task.getPlan().getPrivacy());
      } catch (IllegalArgumentException e) {
        declineRound(task, "the privacy settings are unusable: " + e.getMessage());
        return;
      }
      if (task.getPlan().getPrivacy().getDistributedNoise()) {
        trainWithDistributedNoise(task, study, dp);
        return;
      }
      Optional<String> overCap = privacy.checkRound(dp, plan.localSteps(), data.trainRecords());
      if (overCap.isPresent()) {
        declineRound(task, overCap.get());
        return;
      }
    } else {
      Optional<String> requiresPrivacy = privacy.checkNonPrivate();
      if (requiresPrivacy.isPresent()) {
        declineRound(task, requiresPrivacy.get());
        return;
      }
    }
    if (task.hasSecureAggregation()) {
      Optional<String> refused =
          checkSecureRound(task, study.parameterCount(), data.trainRecords());
      if (refused.isPresent()) {
        declineRound(task, refused.get());
        return;
      }
    }
    double[] global = pullModel(task.getStudyId(), task.getModelVersion());
    TrainingResult result;
    double epsilon = 0;
    if (dp == null) {
      long seed = task.getSeed() * 31 + siteId.hashCode();
      result = LocalTrainer.train(global, data.trainX(), data.trainY(), plan, seed);
    } else {
      result = LocalTrainer.train(global, data.trainX(), data.trainY(), plan, dp, privacy.random());
      // Charged before the update leaves: a crash after this point over-counts, never under.
      epsilon =
          privacy.charge(
              task.getStudyId(),
              task.getRound(),
              dp,
              plan.localSteps(),
              task.getPlan().getPrivacy().getDelta(),
              data.trainRecords());
    }
    if (task.hasSecureAggregation()) {
      double[] exact = new double[global.length];
      for (int i = 0; i < exact.length; i++) {
        exact[i] = result.weights()[i] - global[i];
      }
      advertiseKeys(task, exact, data.trainRecords(), epsilon);
      return;
    }
    float[] delta = new float[global.length];
    for (int i = 0; i < delta.length; i++) {
      delta[i] = (float) (result.weights()[i] - global[i]);
    }
    UpdateHeader header =
        UpdateHeader.newBuilder()
            .setStudyId(task.getStudyId())
            .setRound(task.getRound())
            .setBaseModelVersion(task.getModelVersion())
            .setNumExamples(data.trainRecords())
            .setVectorLength(delta.length)
            .setVectorSha256(ByteString.copyFrom(VectorChunks.sha256(delta)))
            .setTrainLoss(result.meanLoss())
            .setEpsilonSpent(epsilon)
            .build();
    pushUpdate(header, delta);
    log.atInfo()
        .setMessage("update sent")
        .addKeyValue("study", task.getStudyId())
        .addKeyValue("round", task.getRound())
        .addKeyValue("steps", result.steps())
        .addKeyValue("trainLoss", result.meanLoss())
        .addKeyValue("epsilonSpent", epsilon)
        .log();
  }

  /**
   * A FedSGD round with distributed discrete-Gaussian noise: checked against the study and the
   * site's cap, charged, and only then one clipped gradient sum at the global model is encoded as
   * integers with this site's noise share and masked.
   */
  private void trainWithDistributedNoise(TrainTask task, StudyContext study, DpSgdSettings dp)
      throws InterruptedException {
    PreparedData data = study.data();
    if (!task.hasSecureAggregation()) {
      declineRound(
          task, "the study adds distributed noise, which is private only under secure aggregation");
      return;
    }
    Optional<String> refused = checkSecureRound(task, study.parameterCount(), data.trainRecords());
    if (refused.isPresent()) {
      declineRound(task, refused.get());
      return;
    }
    SecureAggregationRound spec = task.getSecureAggregation();
    DistributedDiscreteGaussian noise;
    try {
      noise = SecureRoundClient.checkDistributedNoise(spec, dp);
    } catch (SecureRoundClient.RefusedRound e) {
      declineRound(task, e.getMessage());
      return;
    }
    // Secure aggregation unmasks only a sum of at least its threshold of sites.
    SampledGaussian round = noise.mechanism((int) spec.getThreshold());
    Optional<String> overCap = privacy.checkRound(round, 1, data.trainRecords());
    if (overCap.isPresent()) {
      declineRound(task, overCap.get());
      return;
    }
    double[] global = pullModel(task.getStudyId(), task.getModelVersion());
    ClippedGradientSum gradient =
        DpSgdTrainer.clippedGradientSum(
            global,
            data.trainX(),
            data.trainY(),
            dp.clippingNorm(),
            dp.samplingRate(),
            privacy.random());
    long[] integers;
    try {
      integers = noise.encode(gradient.sum(), gradient.count(), privacy.random());
    } catch (IllegalArgumentException e) {
      // Only a noise draw beyond 40 sigma (or a batch over the record scale) gets here.
      declineRound(task, "this site's contribution does not fit the round: " + e.getMessage());
      return;
    }
    // Charged before anything derived from the records leaves: a crash now over-counts, never
    // under.
    double epsilon =
        privacy.charge(
            task.getStudyId(),
            task.getRound(),
            round,
            1,
            task.getPlan().getPrivacy().getDelta(),
            data.trainRecords());
    double ifOthersCollude =
        privacy.chargeIfOthersCollude(
            task.getStudyId(),
            noise.mechanismIfOthersCollude(),
            task.getPlan().getPrivacy().getDelta());
    log.atInfo()
        .setMessage("distributed-noise round charged")
        .addKeyValue("study", task.getStudyId())
        .addKeyValue("round", task.getRound())
        .addKeyValue("noiseMultiplier", round.noiseMultiplier())
        .addKeyValue("epsilonSpent", epsilon)
        .addKeyValue("epsilonIfOthersCollude", ifOthersCollude)
        .log();
    secureRound = null;
    SecureRoundClient client;
    try {
      client =
          SecureRoundClient.prepareIntegers(
              task.getStudyId(),
              task.getRound(),
              spec,
              siteId,
              secureAggregation.identity(),
              secureAggregation.ca(),
              integers,
              data.trainRecords());
    } catch (SecureRoundClient.RefusedRound e) {
      declineRound(task, e.getMessage());
      return;
    } catch (IOException e) {
      declineRound(task, "secure aggregation cannot start at this site: " + e.getMessage());
      return;
    }
    advertise(task, client, epsilon);
  }

  // ---- secure aggregation ----

  private Optional<String> checkSecureRound(TrainTask task, int parameterCount, long records) {
    if (secureAggregation == null) {
      return Optional.of("this site is not set up for secure aggregation");
    }
    try {
      SecureRoundClient.check(
          task.getStudyId(),
          task.getRound(),
          task.getSecureAggregation(),
          siteId,
          parameterCount,
          records);
      return Optional.empty();
    } catch (SecureRoundClient.RefusedRound e) {
      return Optional.of(e.getMessage());
    }
  }

  /** Phase 1: the trained update stays here; only signed public keys go out. */
  private void advertiseKeys(TrainTask task, double[] delta, long records, double epsilon) {
    secureRound = null;
    SecureRoundClient client;
    try {
      client =
          SecureRoundClient.prepare(
              task.getStudyId(),
              task.getRound(),
              task.getSecureAggregation(),
              siteId,
              secureAggregation.identity(),
              secureAggregation.ca(),
              delta,
              records);
    } catch (SecureRoundClient.RefusedRound e) {
      declineRound(task, e.getMessage());
      return;
    } catch (IOException e) {
      declineRound(task, "secure aggregation cannot start at this site: " + e.getMessage());
      return;
    }
    advertise(task, client, epsilon);
  }

  private void advertise(TrainTask task, SecureRoundClient client, double epsilon) {
    AdvertiseKeysRequest request;
    try {
      request = client.advertise();
    } catch (GeneralSecurityException e) {
      declineRound(task, "secure aggregation cannot start at this site: " + e.getMessage());
      return;
    }
    secureRound = new SecureRound(client, task.getModelVersion(), epsilon);
    blocking
        .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .advertiseKeys(request);
    log.atInfo()
        .setMessage("secure aggregation: keys advertised")
        .addKeyValue("study", task.getStudyId())
        .addKeyValue("round", task.getRound())
        .addKeyValue("epsilonSpent", epsilon)
        .log();
  }

  private void shareKeys(ShareKeysTask task) {
    SecureRound current = secureRoundFor(task.getStudyId(), task.getRound());
    if (current == null) {
      return;
    }
    ShareKeysRequest request;
    try {
      request = current.client().share(task);
    } catch (SecAggException e) {
      abandonSecureRound("key shares", e);
      return;
    }
    blocking.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).shareKeys(request);
    log.atInfo()
        .setMessage("secure aggregation: shares sent")
        .addKeyValue("round", task.getRound())
        .addKeyValue("shares", request.getSharesCount())
        .log();
  }

  private void maskInput(MaskInputTask task) throws InterruptedException {
    SecureRound current = secureRoundFor(task.getStudyId(), task.getRound());
    if (current == null) {
      return;
    }
    int[] masked;
    try {
      masked = current.client().mask(task);
    } catch (SecAggException e) {
      abandonSecureRound("masked input", e);
      return;
    }
    MaskedInputHeader header =
        MaskedInputHeader.newBuilder()
            .setStudyId(task.getStudyId())
            .setRound(task.getRound())
            .setBaseModelVersion(current.baseModelVersion())
            .setVectorLength(masked.length)
            .setVectorSha256(ByteString.copyFrom(SecureAggregationWire.sha256(masked)))
            .setEpsilonSpent(current.epsilon())
            .build();
    uploadMasked(header, masked);
    log.atInfo()
        .setMessage("secure aggregation: masked update sent")
        .addKeyValue("round", task.getRound())
        .log();
  }

  private void unmask(UnmaskTask task) {
    SecureRound current = secureRoundFor(task.getStudyId(), task.getRound());
    if (current == null) {
      return;
    }
    RevealSharesRequest request;
    try {
      request = current.client().unmask(task);
    } catch (SecAggException e) {
      abandonSecureRound("unmasking", e);
      return;
    }
    secureRound = null;
    blocking
        .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .revealShares(request);
    log.atInfo()
        .setMessage("secure aggregation: shares revealed")
        .addKeyValue("round", task.getRound())
        .addKeyValue("shares", request.getSharesCount())
        .log();
  }

  private SecureRound secureRoundFor(String studyId, int round) {
    SecureRound current = secureRound;
    if (current == null
        || !current.client().studyId().equals(studyId)
        || current.client().round() != round) {
      // E.g. this site restarted mid-round: its secrets are gone, so it has dropped out.
      log.atInfo()
          .setMessage("secure-aggregation task for a round this site is not in")
          .addKeyValue("round", round)
          .log();
      return null;
    }
    return current;
  }

  /** A protocol violation by the coordinator or another site: stop this round, reveal nothing. */
  private void abandonSecureRound(String step, SecAggException e) {
    secureRound = null;
    log.atWarn()
        .setMessage("secure aggregation: refused to continue the round")
        .addKeyValue("step", step)
        .addKeyValue("reason", e.getMessage())
        .log();
  }

  private void uploadMasked(MaskedInputHeader header, int[] masked) throws InterruptedException {
    CompletableFuture<PushMaskedInputResponse> result = new CompletableFuture<>();
    StreamObserver<PushMaskedInputRequest> stream =
        async
            .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .pushMaskedInput(completing(result, "masked upload"));
    stream.onNext(PushMaskedInputRequest.newBuilder().setHeader(header).build());
    for (MaskedChunk chunk : SecureAggregationWire.split(masked, maxChunkElements)) {
      if (result.isDone()) {
        break;
      }
      stream.onNext(PushMaskedInputRequest.newBuilder().setChunk(chunk).build());
    }
    stream.onCompleted();
    await(result, "masked upload");
  }

  private void evaluate(EvaluateTask task) throws ReceiptException {
    StudyContext study = studies.get(task.getStudyId());
    if (study == null) {
      return;
    }
    PreparedData data = study.data();
    double[] weights = pullModel(task.getStudyId(), task.getModelVersion());
    Metrics metrics = Evaluation.evaluate(weights, data.testX(), data.testY());
    blocking
        .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .reportEvaluation(
            ReportEvaluationRequest.newBuilder()
                .setStudyId(task.getStudyId())
                .setRound(task.getRound())
                .setModelVersion(task.getModelVersion())
                .setTestRecords(metrics.records())
                .setAccuracy(metrics.accuracy())
                .setAuc(metrics.auc())
                .setLoss(metrics.loss())
                .build());
    collectReceipts();
    log.atInfo()
        .setMessage("evaluation sent")
        .addKeyValue("round", task.getRound())
        .addKeyValue("modelVersion", task.getModelVersion())
        .addKeyValue("accuracy", metrics.accuracy())
        .log();
  }

  /** Fetches and verifies the receipts for everything logged about this site since last time. */
  private void collectReceipts() throws ReceiptException {
    if (receipts == null) {
      return;
    }
    GetReceiptsResponse response;
    try {
      response =
          blocking
              .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .getReceipts(
                  GetReceiptsRequest.newBuilder()
                      .setKnownTreeSize(receipts.knownTreeSize())
                      .setFromIndex(receipts.nextIndex())
                      .build());
    } catch (StatusRuntimeException e) {
      // No tree head yet, or the coordinator is busy: receipts are fetched again next round.
      log.atInfo()
          .setMessage("receipts not available yet")
          .addKeyValue("status", e.getStatus().getCode())
          .log();
      return;
    }
    int count = receipts.accept(response, siteId);
    log.atInfo()
        .setMessage("receipts verified")
        .addKeyValue("entries", count)
        .addKeyValue("treeSize", receipts.knownTreeSize())
        .log();
  }

  private void declineRound(TrainTask task, String reason) {
    blocking
        .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .declineRound(
            DeclineRoundRequest.newBuilder()
                .setStudyId(task.getStudyId())
                .setRound(task.getRound())
                .setReason(reason)
                .build());
    log.atInfo()
        .setMessage("declined the round")
        .addKeyValue("round", task.getRound())
        .addKeyValue("reason", reason)
        .log();
  }

  // ---- vectors ----

  /** Pulls a global model, resuming from the last received element if the stream breaks. */
  private double[] pullModel(String studyId, long version) {
    VectorAssembler assembler = null;
    StatusRuntimeException last = null;
    for (int attempt = 0; attempt < UPLOAD_ATTEMPTS; attempt++) {
      try {
        Iterator<PullModelResponse> chunks =
            blocking
                .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .pullModel(
                    PullModelRequest.newBuilder()
                        .setStudyId(studyId)
                        .setModelVersion(version)
                        .setFromElement(assembler == null ? 0 : assembler.received())
                        .build());
        while (chunks.hasNext()) {
          VectorChunk chunk = chunks.next().getChunk();
          if (assembler == null) {
            assembler = new VectorAssembler(chunk.getTotalLength());
          }
          String problem = assembler.accept(chunk).orElse(null);
          if (problem != null) {
            throw Status.DATA_LOSS.withDescription("global model: " + problem).asRuntimeException();
          }
        }
        if (assembler != null && assembler.complete()) {
          return VectorChunks.toDoubles(assembler.values());
        }
        throw Status.DATA_LOSS
            .withDescription("global model stream ended early")
            .asRuntimeException();
      } catch (StatusRuntimeException e) {
        if (!retryable(e.getStatus())) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  /**
   * Streams the update in chunks. If the stream breaks, asks the coordinator how much it holds (a
   * header-only upload) and sends only the rest.
   */
  private void pushUpdate(UpdateHeader header, float[] delta) throws InterruptedException {
    int from = 0;
    StatusRuntimeException last = null;
    for (int attempt = 0; attempt < UPLOAD_ATTEMPTS; attempt++) {
      try {
        PushUpdateResponse response =
            upload(header, VectorChunks.split(delta, from, maxChunkElements));
        if (response.getComplete()) {
          return;
        }
        from = response.getReceivedElements();
      } catch (StatusRuntimeException e) {
        if (!retryable(e.getStatus())) {
          throw e;
        }
        last = e;
        from = upload(header, List.of()).getReceivedElements();
      }
    }
    throw last != null
        ? last
        : Status.ABORTED
            .withDescription("update not accepted after " + UPLOAD_ATTEMPTS + " attempts")
            .asRuntimeException();
  }

  private PushUpdateResponse upload(UpdateHeader header, List<VectorChunk> chunks)
      throws InterruptedException {
    CompletableFuture<PushUpdateResponse> result = new CompletableFuture<>();
    StreamObserver<PushUpdateRequest> stream =
        async
            .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .pushUpdate(completing(result, "upload"));
    stream.onNext(PushUpdateRequest.newBuilder().setHeader(header).build());
    for (VectorChunk chunk : chunks) {
      if (result.isDone()) {
        break;
      }
      stream.onNext(PushUpdateRequest.newBuilder().setChunk(chunk).build());
    }
    stream.onCompleted();
    return await(result, "upload");
  }

  /** A response observer that completes {@code result} with the single answer of an upload. */
  private static <T> StreamObserver<T> completing(CompletableFuture<T> result, String what) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        result.completeExceptionally(
            Status.INTERNAL.withDescription("no answer to the " + what).asRuntimeException());
      }
    };
  }

  private static <T> T await(CompletableFuture<T> result, String what) throws InterruptedException {
    try {
      return result.get(CALL_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException status) {
        throw status;
      }
      throw Status.fromThrowable(e.getCause()).asRuntimeException();
    } catch (TimeoutException e) {
      throw Status.DEADLINE_EXCEEDED.withDescription(what + " timed out").asRuntimeException();
    }
  }

  private static DpSgdSettings settings(DifferentialPrivacy privacy) {
    return new DpSgdSettings(
        privacy.getClippingNorm(), privacy.getNoiseMultiplier(), privacy.getSamplingRate());
  }

  /**
   * What the site keeps for a study it joined: its prepared records, the study's delta and the
   * model's parameter count.
   */
  private record StudyContext(PreparedData data, double delta, int parameterCount) {}

  /** The open secure round, with what the masked upload's header needs. */
  private record SecureRound(SecureRoundClient client, long baseModelVersion, double epsilon) {}

  private static boolean retryable(Status status) {
    return switch (status.getCode()) {
      case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, RESOURCE_EXHAUSTED, ABORTED -> true;
      default -> false;
    };
  }

  /**
   * Exponential backoff from 100 ms to 1 s between reconnection attempts: a restarted coordinator
   * sees its sites back within a second, and one attempt a second is no load.
   */
  private static final class Backoff {
    private long delayMillis = 100;

    void sleep() throws InterruptedException {
      Thread.sleep(delayMillis);
      delayMillis = Math.min(1_000, delayMillis * 2);
    }

    void reset() {
      delayMillis = 100;
    }
  }
}
