package org.medfed.coordinator.federation;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.coordinator.round.EvaluationReport;
import org.medfed.coordinator.round.ProtocolException;
import org.medfed.coordinator.round.RoundEngine;
import org.medfed.coordinator.round.SiteTask;
import org.medfed.coordinator.study.LocalTrainingConfig;
import org.medfed.coordinator.study.PrivacyConfig;
import org.medfed.coordinator.study.StudyConfig;
import org.medfed.crypto.merkle.Checkpoint;
import org.medfed.proto.chunks.VectorChunks;
import org.medfed.proto.v1.AdvertiseKeysRequest;
import org.medfed.proto.v1.AdvertiseKeysResponse;
import org.medfed.proto.v1.AnswerInvitationRequest;
import org.medfed.proto.v1.AnswerInvitationResponse;
import org.medfed.proto.v1.DeclineRoundRequest;
import org.medfed.proto.v1.DeclineRoundResponse;
import org.medfed.proto.v1.DifferentialPrivacy;
import org.medfed.proto.v1.EvaluateTask;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.Feature;
import org.medfed.proto.v1.FederationGrpc;
import org.medfed.proto.v1.GetReceiptsRequest;
import org.medfed.proto.v1.GetReceiptsResponse;
import org.medfed.proto.v1.JoinRequest;
import org.medfed.proto.v1.JoinResponse;
import org.medfed.proto.v1.LocalOptimizer;
import org.medfed.proto.v1.LocalTrainingPlan;
import org.medfed.proto.v1.MaskInputTask;
import org.medfed.proto.v1.ModelSpec;
import org.medfed.proto.v1.NoTask;
import org.medfed.proto.v1.PollTaskRequest;
import org.medfed.proto.v1.PollTaskResponse;
import org.medfed.proto.v1.PullModelRequest;
import org.medfed.proto.v1.PullModelResponse;
import org.medfed.proto.v1.PushMaskedInputRequest;
import org.medfed.proto.v1.PushMaskedInputResponse;
import org.medfed.proto.v1.PushUpdateRequest;
import org.medfed.proto.v1.PushUpdateResponse;
import org.medfed.proto.v1.Receipt;
import org.medfed.proto.v1.ReportEvaluationRequest;
import org.medfed.proto.v1.ReportEvaluationResponse;
import org.medfed.proto.v1.RevealSharesRequest;
import org.medfed.proto.v1.RevealSharesResponse;
import org.medfed.proto.v1.ShareKeysRequest;
import org.medfed.proto.v1.ShareKeysResponse;
import org.medfed.proto.v1.ShareKeysTask;
import org.medfed.proto.v1.SignedTreeHead;
import org.medfed.proto.v1.StudyEnded;
import org.medfed.proto.v1.StudyInvitation;
import org.medfed.proto.v1.TrainTask;
import org.medfed.proto.v1.UnmaskTask;
import org.medfed.proto.v1.VectorChunk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin adapter from the wire contract to the {@link RoundEngine}: translates messages, maps
 * refusals to precise gRPC statuses, and reassembles chunked uploads ({@link UpdateUpload}, which
 * keeps partial ones here so a broken transfer resumes, and {@link MaskedUpload}).
 */
final class FederationService extends FederationGrpc.FederationImplBase {
  private static final Logger log = LoggerFactory.getLogger(FederationService.class);
  private static final Duration MAX_POLL_WAIT = Duration.ofSeconds(30);
  private static final Duration DEFAULT_POLL_WAIT = Duration.ofSeconds(20);

  private final RoundEngine engine;
  private final ExchangeLog exchangeLog;
  private final String coordinatorName;
  private final ByteString coordinatorCertificate;
  private final SenderSignatures signatures;
  private final UploadContext uploads;
  private final Map<UpdateUpload.UploadKey, UpdateUpload.PartialUpload> partialUploads =
      new ConcurrentHashMap<>();

  FederationService(
      RoundEngine engine,
      ExchangeLog exchangeLog,
      String coordinatorName,
      ByteString coordinatorCertificate,
      int maxChunkElements,
      SenderSignatures signatures) {
    this.signatures = signatures;
    this.engine = engine;
    this.exchangeLog = exchangeLog;
    this.coordinatorName = coordinatorName;
    this.coordinatorCertificate = coordinatorCertificate;
    this.uploads =
        new UploadContext(engine, exchangeLog, signatures, maxChunkElements, coordinatorName);
  }

  @Override
  public void join(JoinRequest request, StreamObserver<JoinResponse> response) {
    String site = site();
    answer(
        response,
        "Join",
        request,
        engine.study().id(),
        0,
        () -> {
          engine.siteJoined(site);
          return JoinResponse.newBuilder()
              .setSiteId(site)
              .setMaxChunkElements(uploads.maxChunkElements())
              .build();
        });
  }

  @Override
  public void pollTask(PollTaskRequest request, StreamObserver<PollTaskResponse> response) {
    String site = site();
    Duration wait =
        request.getMaxWaitMillis() == 0
            ? DEFAULT_POLL_WAIT
            : Duration.ofMillis(Math.min(request.getMaxWaitMillis(), MAX_POLL_WAIT.toMillis()));
    try {
      Optional<SiteTask> task = engine.nextTask(site, wait);
      PollTaskResponse answer =
          task.map(this::toProto)
              .orElseGet(
                  () ->
                      PollTaskResponse.newBuilder()
                          .setNoTask(NoTask.newBuilder().setRetryAfterMillis(0))
                          .build());
      if (task.isPresent()) {
        byte[] bytes = answer.toByteArray();
        ExchangedMessage sent = toSite("PollTask", site, ExchangeLog.sha256(bytes), bytes.length);
        // A secure round's parameters are needed again to recompute its aggregate.
        if (answer.hasTrain() && answer.getTrain().hasSecureAggregation()) {
          exchangeLog.recordRetained(engine.study().id(), task.get().round(), sent, bytes);
        } else {
          exchangeLog.recordMessage(engine.study().id(), task.get().round(), sent);
        }
      }
      response.onNext(answer);
      response.onCompleted();
    } catch (ProtocolException e) {
      response.onError(refusal(site, "PollTask", e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      response.onError(
          Status.UNAVAILABLE.withDescription("coordinator shutting down").asException());
    }
  }

  @Override
  public void answerInvitation(
      AnswerInvitationRequest request, StreamObserver<AnswerInvitationResponse> response) {
    String site = site();
    // Retained: it carries the site's declared privacy cap, which auditors check spending against.
    answerRetained(
        response,
        "AnswerInvitation",
        request,
        request.getStudyId(),
        0,
        () -> {
          engine.answerInvitation(
              site, request.getStudyId(), request.getAccept(), request.getDeclineReason());
          return AnswerInvitationResponse.getDefaultInstance();
        });
  }

  @Override
  public void declineRound(
      DeclineRoundRequest request, StreamObserver<DeclineRoundResponse> response) {
    String site = site();
    answer(
        response,
        "DeclineRound",
        request,
        request.getStudyId(),
        request.getRound(),
        () -> {
          engine.declineRound(site, request.getStudyId(), request.getRound(), request.getReason());
          return DeclineRoundResponse.getDefaultInstance();
        });
  }

  @Override
  public void pullModel(PullModelRequest request, StreamObserver<PullModelResponse> response) {
    String site = site();
    float[] weights;
    try {
      weights =
          VectorChunks.toFloats(engine.model(request.getStudyId(), request.getModelVersion()));
    } catch (ProtocolException e) {
      response.onError(refusal(site, "PullModel", e));
      return;
    }
    if (request.getFromElement() > weights.length) {
      response.onError(
          Status.INVALID_ARGUMENT
              .withDescription(
                  "from_element "
                      + request.getFromElement()
                      + " is beyond the model's "
                      + weights.length
                      + " elements")
              .asException());
      return;
    }
    exchangeLog.recordMessage(
        request.getStudyId(),
        0,
        toSite(
            "PullModel",
            site,
            ByteString.copyFrom(VectorChunks.sha256(weights)),
            (long) weights.length * Float.BYTES));
    for (VectorChunk chunk :
        VectorChunks.split(weights, request.getFromElement(), uploads.maxChunkElements())) {
      response.onNext(PullModelResponse.newBuilder().setChunk(chunk).build());
    }
    response.onCompleted();
  }

  @Override
  public StreamObserver<PushUpdateRequest> pushUpdate(StreamObserver<PushUpdateResponse> response) {
    return new UpdateUpload(uploads, site(), response, partialUploads);
  }

  // ---- secure aggregation ----

  @Override
  public void advertiseKeys(
      AdvertiseKeysRequest request, StreamObserver<AdvertiseKeysResponse> response) {
    String site = site();
    answerRetained(
        response,
        "AdvertiseKeys",
        request,
        request.getStudyId(),
        request.getRound(),
        () -> {
          engine.advertiseKeys(site, request);
          return AdvertiseKeysResponse.getDefaultInstance();
        });
  }

  @Override
  public void shareKeys(ShareKeysRequest request, StreamObserver<ShareKeysResponse> response) {
    String site = site();
    answerRetained(
        response,
        "ShareKeys",
        request,
        request.getStudyId(),
        request.getRound(),
        () -> {
          engine.shareKeys(site, request);
          return ShareKeysResponse.getDefaultInstance();
        });
  }

  @Override
  public void revealShares(
      RevealSharesRequest request, StreamObserver<RevealSharesResponse> response) {
    String site = site();
    answerRetained(
        response,
        "RevealShares",
        request,
        request.getStudyId(),
        request.getRound(),
        () -> {
          engine.revealShares(site, request);
          return RevealSharesResponse.getDefaultInstance();
        });
  }

  @Override
  public StreamObserver<PushMaskedInputRequest> pushMaskedInput(
      StreamObserver<PushMaskedInputResponse> response) {
    return new MaskedUpload(uploads, site(), response);
  }

  @Override
  public void reportEvaluation(
      ReportEvaluationRequest request, StreamObserver<ReportEvaluationResponse> response) {
    String site = site();
    answer(
        response,
        "ReportEvaluation",
        request,
        request.getStudyId(),
        request.getRound(),
        () -> {
          engine.submitEvaluation(
              site,
              new EvaluationReport(
                  request.getStudyId(),
                  request.getRound(),
                  request.getModelVersion(),
                  request.getTestRecords(),
                  request.getAccuracy(),
                  request.getAuc(),
                  request.getLoss()));
          return ReportEvaluationResponse.getDefaultInstance();
        });
  }

  /** At most this many receipts per call; a site pages with from_index. */
  private static final int MAX_RECEIPTS = 1_000;

  /**
   * Receipts are read-only and carry nothing from the site, so the call itself is not logged
   * (logging it would make every call create a new entry to receipt).
   */
  @Override
  public void getReceipts(
      GetReceiptsRequest request, StreamObserver<GetReceiptsResponse> response) {
    String site = site();
    try {
      List<SignedTreeHead> heads = exchangeLog.treeHeads();
      if (heads.isEmpty()) {
        response.onError(
            Status.FAILED_PRECONDITION
                .withDescription("no tree head has been signed yet")
                .asException());
        return;
      }
      SignedTreeHead head = heads.getLast();
      long size = Checkpoint.parse(head.getCheckpoint().toByteArray()).treeSize();
      if (request.getKnownTreeSize() > size) {
        response.onError(
            Status.FAILED_PRECONDITION
                .withDescription(
                    "known_tree_size "
                        + request.getKnownTreeSize()
                        + " is beyond the latest signed tree head of size "
                        + size)
                .asException());
        return;
      }
      GetReceiptsResponse.Builder answer =
          GetReceiptsResponse.newBuilder()
              .setSignedTreeHead(head.toByteString())
              .setCoordinatorCertificate(coordinatorCertificate);
      if (request.getKnownTreeSize() > 0) {
        exchangeLog.consistencyProof(request.getKnownTreeSize(), size).stream()
            .map(ByteString::copyFrom)
            .forEach(answer::addConsistencyProof);
      }
      List<Long> indexes = exchangeLog.entriesAbout(site, request.getFromIndex(), size);
      for (long index : indexes.subList(0, Math.min(MAX_RECEIPTS, indexes.size()))) {
        Receipt.Builder receipt =
            Receipt.newBuilder()
                .setIndex(index)
                .setEntry(ByteString.copyFrom(exchangeLog.rawEntries(index, index + 1).getFirst()));
        exchangeLog.inclusionProof(index, size).stream()
            .map(ByteString::copyFrom)
            .forEach(receipt::addInclusionProof);
        answer.addReceipts(receipt);
      }
      response.onNext(answer.build());
      response.onCompleted();
    } catch (IOException | GeneralSecurityException e) {
      response.onError(
          Status.INTERNAL
              .withDescription("cannot read the exchange log: " + e.getMessage())
              .asException());
    }
  }

  // ---- translation ----

  private PollTaskResponse toProto(SiteTask task) {
    StudyConfig study = engine.study();
    PollTaskResponse.Builder response = PollTaskResponse.newBuilder();
    switch (task) {
      case SiteTask.Invite invite -> response.setInvitation(invitation(study));
      case SiteTask.Train train -> {
        TrainTask.Builder builder =
            TrainTask.newBuilder()
                .setStudyId(train.studyId())
                .setRound(train.round())
                .setModelVersion(train.modelVersion())
                .setPlan(plan(study))
                .setDeadlineUnixMillis(train.deadline().toEpochMilli())
                .setSeed(train.seed());
        train.secureAggregation().ifPresent(builder::setSecureAggregation);
        response.setTrain(builder);
      }
      case SiteTask.ShareKeys share ->
          response.setShareKeys(
              ShareKeysTask.newBuilder()
                  .setStudyId(share.studyId())
                  .setRound(share.round())
                  .addAllKeys(share.keys())
                  .setDeadlineUnixMillis(share.deadline().toEpochMilli()));
      case SiteTask.MaskInput mask ->
          response.setMaskInput(
              MaskInputTask.newBuilder()
                  .setStudyId(mask.studyId())
                  .setRound(mask.round())
                  .addAllShares(mask.shares())
                  .setDeadlineUnixMillis(mask.deadline().toEpochMilli()));
      case SiteTask.Unmask unmask ->
          response.setUnmask(
              UnmaskTask.newBuilder()
                  .setStudyId(unmask.studyId())
                  .setRound(unmask.round())
                  .addAllContributors(unmask.contributors())
                  .setDeadlineUnixMillis(unmask.deadline().toEpochMilli()));
      case SiteTask.Evaluate evaluate ->
          response.setEvaluate(
              EvaluateTask.newBuilder()
                  .setStudyId(evaluate.studyId())
                  .setRound(evaluate.round())
                  .setModelVersion(evaluate.modelVersion())
                  .setDeadlineUnixMillis(evaluate.deadline().toEpochMilli()));
      case SiteTask.Ended ended ->
          response.setStudyEnded(
              StudyEnded.newBuilder()
                  .setStudyId(ended.studyId())
                  .setOutcome(ended.outcome())
                  .setFinalModelVersion(ended.finalModelVersion()));
    }
    return response.build();
  }

  private static StudyInvitation invitation(StudyConfig study) {
    ModelSpec.Builder model =
        ModelSpec.newBuilder()
            .setModelType(study.model().type())
            .setLabelColumn(study.model().labelColumn())
            .setLabelThreshold(study.model().labelPositiveAbove())
            .setParameterCount(study.model().parameterCount());
    for (String feature : study.model().features()) {
      int equals = feature.indexOf('=');
      model.addFeatures(
          equals < 0
              ? Feature.newBuilder().setColumn(feature).build()
              : Feature.newBuilder()
                  .setColumn(feature.substring(0, equals))
                  .setIndicatorLevel(feature.substring(equals + 1))
                  .build());
    }
    StudyInvitation.Builder invitation =
        StudyInvitation.newBuilder()
            .setStudyId(study.id())
            .setTitle(study.title())
            .setModel(model)
            .setRounds(study.rounds())
            .setStrategy(study.strategy().name())
            .setLocalSteps(study.localTraining().steps());
    if (study.privacy() != null) {
      invitation.setPrivacy(privacy(study.privacy()));
    }
    return invitation.build();
  }

  private static DifferentialPrivacy privacy(PrivacyConfig privacy) {
    return DifferentialPrivacy.newBuilder()
        .setNoiseMultiplier(privacy.noiseMultiplier())
        .setClippingNorm(privacy.clippingNorm())
        .setSamplingRate(privacy.samplingRate())
        .setDelta(privacy.delta())
        .setDistributedNoise(privacy.distributedNoise())
        .build();
  }

  private static LocalTrainingPlan plan(StudyConfig study) {
    LocalTrainingConfig local = study.localTraining();
    LocalTrainingPlan.Builder plan = LocalTrainingPlan.newBuilder();
    if (study.privacy() != null) {
      plan.setPrivacy(privacy(study.privacy()));
    }
    return plan.setLocalSteps(local.steps())
        .setBatchSize(local.batchSize())
        .setLearningRate(local.learningRate())
        .setOptimizer(
            "adam".equals(local.optimizer())
                ? LocalOptimizer.LOCAL_OPTIMIZER_ADAM
                : LocalOptimizer.LOCAL_OPTIMIZER_SGD)
        .setProximalMu(study.strategy().proximalMu())
        .build();
  }

  // ---- plumbing ----

  private static String site() {
    return SiteIdentityInterceptor.SITE.get();
  }

  private interface Call<T> {
    T run() throws ProtocolException, InterruptedException;
  }

  /**
   * Runs a unary call and records the site's message in the exchange log before answering, so
   * nothing is acknowledged that the log does not hold.
   */
  private <T> void answer(
      StreamObserver<T> response,
      String method,
      Message request,
      String studyId,
      int round,
      Call<T> call) {
    answer(response, method, request, studyId, round, false, call);
  }

  /** As {@link #answer}, and an accepted request's bytes are retained for the auditor. */
  private <T> void answerRetained(
      StreamObserver<T> response,
      String method,
      Message request,
      String studyId,
      int round,
      Call<T> call) {
    answer(response, method, request, studyId, round, true, call);
  }

  private <T> void answer(
      StreamObserver<T> response,
      String method,
      Message request,
      String studyId,
      int round,
      boolean retain,
      Call<T> call) {
    String site = site();
    byte[] payload = request.toByteArray();
    ByteString sha = ExchangeLog.sha256(payload);
    SiteSignature signature = SiteSignature.NONE;
    try {
      signature = signatures.verify(site, method, sha.toByteArray());
      T result = call.run();
      ExchangedMessage entry =
          fromSite(coordinatorName, method, site, sha, payload.length, "accepted", 0, signature);
      if (retain) {
        exchangeLog.recordRetained(studyId, round, entry, payload);
      } else {
        exchangeLog.recordMessage(studyId, round, entry);
      }
      signatures.logged(signature);
      response.onNext(result);
      response.onCompleted();
    } catch (ProtocolException e) {
      StatusException status = refusal(site, method, e);
      exchangeLog.recordMessage(
          studyId,
          round,
          fromSite(
              coordinatorName,
              method,
              site,
              sha,
              payload.length,
              describe(status.getStatus()),
              0,
              signature));
      signatures.logged(signature);
      response.onError(status);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      response.onError(
          Status.UNAVAILABLE.withDescription("coordinator shutting down").asException());
    }
  }

  /**
   * A log entry for a message from a site.
   *
   * @param epsilonSpent the privacy loss the site reports with the message; 0 when none
   * @param signature the site's verified signature and chain link, or {@link SiteSignature#NONE}
   *     when the message was refused first
   */
  static ExchangedMessage fromSite(
      String coordinatorName,
      String method,
      String site,
      ByteString sha256,
      long size,
      String outcome,
      double epsilonSpent,
      SiteSignature signature) {
    return ExchangedMessage.newBuilder()
        .setRpc(method)
        .setSender(site)
        .setReceiver(coordinatorName)
        .setPayloadSha256(sha256)
        .setPayloadSize(size)
        .setOutcome(outcome)
        .setEpsilonSpent(epsilonSpent)
        .setSenderSignature(signature.signature())
        .setPreviousStatementSha256(signature.previous())
        .build();
  }

  private ExchangedMessage toSite(String method, String site, ByteString sha256, long size) {
    return ExchangedMessage.newBuilder()
        .setRpc(method)
        .setSender(coordinatorName)
        .setReceiver(site)
        .setPayloadSha256(sha256)
        .setPayloadSize(size)
        .setOutcome("sent")
        .build();
  }

  static String describe(Status status) {
    return status.getCode() + ": " + status.getDescription();
  }

  static StatusException refusal(String site, String method, ProtocolException e) {
    Status status =
        switch (e.kind()) {
          case INVALID -> Status.INVALID_ARGUMENT;
          case NOT_NOW -> Status.FAILED_PRECONDITION;
          case NOT_PARTICIPANT -> Status.PERMISSION_DENIED;
          case NOT_FOUND -> Status.NOT_FOUND;
          case UNSIGNED -> Status.UNAUTHENTICATED;
        };
    log.atWarn()
        .setMessage("message refused")
        .addKeyValue("site", site)
        .addKeyValue("method", method)
        .addKeyValue("status", status.getCode())
        .addKeyValue("reason", e.getMessage())
        .log();
    return status.withDescription(e.getMessage()).asException();
  }
}
