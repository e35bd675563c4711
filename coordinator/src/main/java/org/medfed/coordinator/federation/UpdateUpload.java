package org.medfed.coordinator.federation;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.Optional;
import org.medfed.coordinator.round.ProtocolException;
import org.medfed.coordinator.round.UpdateSubmission;
import org.medfed.proto.chunks.VectorAssembler;
import org.medfed.proto.chunks.VectorChunks;
import org.medfed.proto.v1.PushUpdateRequest;
import org.medfed.proto.v1.PushUpdateResponse;
import org.medfed.proto.v1.UpdateHeader;
import org.medfed.proto.v1.VectorChunk;

/**
 * One plaintext update upload (PushUpdate). A broken transfer resumes: the partial upload stays in
 * the service's {@code partialUploads} until it completes or is refused, and a call that sends the
 * same header again continues it.
 */
final class UpdateUpload extends ChunkedUpload<PushUpdateRequest, PushUpdateResponse> {
  /** Which upload a header resumes: at most one per site and round. */
  record UploadKey(String site, String studyId, int round) {}

  record PartialUpload(UpdateHeader header, VectorAssembler assembler) {}

  private final Map<UploadKey, PartialUpload> partialUploads;
  private UploadKey key;
  private PartialUpload upload;

  UpdateUpload(
      UploadContext context,
      String site,
      StreamObserver<PushUpdateResponse> response,
      Map<UploadKey, PartialUpload> partialUploads) {
    super(context, site, "PushUpdate", response);
    this.partialUploads = partialUploads;
  }

  @Override
  void accept(PushUpdateRequest part) throws ProtocolException {
    switch (part.getPartCase()) {
      case HEADER -> startOrResume(part.getHeader());
      case CHUNK -> addChunk(part.getChunk());
      case PART_NOT_SET -> throw notAPart();
    }
  }

  private void startOrResume(UpdateHeader header) throws ProtocolException {
    if (upload != null) {
      throw new ProtocolException(
          ProtocolException.Kind.INVALID, "an upload carries exactly one header");
    }
    key = new UploadKey(site, header.getStudyId(), header.getRound());
    PartialUpload existing = partialUploads.get(key);
    if (existing != null && existing.header().equals(header)) {
      signature =
          context.signatures().verify(site, "PushUpdate", header.getVectorSha256().toByteArray());
      upload = existing;
      return;
    }
    context
        .engine()
        .checkUpdateHeader(
            site,
            header.getStudyId(),
            header.getRound(),
            header.getBaseModelVersion(),
            header.getVectorLength());
    if (header.getVectorSha256().size() != 32) {
      throw new ProtocolException(ProtocolException.Kind.INVALID, "vector_sha256 must be 32 bytes");
    }
    signature =
        context.signatures().verify(site, "PushUpdate", header.getVectorSha256().toByteArray());
    upload = new PartialUpload(header, new VectorAssembler(header.getVectorLength()));
    partialUploads.put(key, upload);
  }

  private void addChunk(VectorChunk chunk) throws ProtocolException {
    if (upload == null) {
      throw new ProtocolException(
          ProtocolException.Kind.INVALID, "an upload must start with its header");
    }
    int maxChunkElements = context.maxChunkElements();
    Optional<String> problem;
    if (chunk.getValuesCount() > maxChunkElements) {
      problem =
          Optional.of(
              "chunk of "
                  + chunk.getValuesCount()
                  + " elements exceeds the limit of "
                  + maxChunkElements);
    } else {
      synchronized (upload) {
        problem = upload.assembler().accept(chunk);
      }
    }
    if (problem.isPresent()) {
      partialUploads.remove(key);
      UpdateHeader header = upload.header();
      context.engine().rejectUpdate(site, header.getStudyId(), header.getRound(), problem.get());
    }
  }

  @Override
  public void onError(Throwable t) {
    // The transfer broke; the partial upload stays so the site can resume it.
    log.atInfo()
        .setMessage("upload interrupted")
        .addKeyValue("site", site)
        .addKeyValue("received", upload == null ? 0 : upload.assembler().received())
        .log();
  }

  @Override
  void complete() throws ProtocolException {
    if (upload == null) {
      fail(Status.INVALID_ARGUMENT.withDescription("an upload must carry a header").asException());
      return;
    }
    VectorAssembler assembler = upload.assembler();
    UpdateHeader header = upload.header();
    if (!assembler.complete()) {
      response.onNext(
          PushUpdateResponse.newBuilder().setReceivedElements(assembler.received()).build());
      response.onCompleted();
      return;
    }
    partialUploads.remove(key);
    if (!assembler.matches(header.getVectorSha256().toByteArray())) {
      // Always throws: the site is counted as failed and told why.
      context
          .engine()
          .rejectUpdate(
              site,
              header.getStudyId(),
              header.getRound(),
              "the update does not match its SHA-256 digest");
    }
    context
        .engine()
        .submitUpdate(
            site,
            new UpdateSubmission(
                header.getStudyId(),
                header.getRound(),
                header.getBaseModelVersion(),
                header.getNumExamples(),
                header.getTrainLoss(),
                VectorChunks.toDoubles(assembler.values())));
    recordUpload(header, "accepted");
    response.onNext(
        PushUpdateResponse.newBuilder()
            .setReceivedElements(assembler.received())
            .setComplete(true)
            .build());
    response.onCompleted();
  }

  @Override
  void recordRefused(String outcome) {
    if (upload != null) {
      recordUpload(upload.header(), outcome);
    }
  }

  private void recordUpload(UpdateHeader header, String outcome) {
    context
        .exchangeLog()
        .recordMessage(
            header.getStudyId(),
            header.getRound(),
            fromSite(
                header.getVectorSha256(),
                (long) header.getVectorLength() * Float.BYTES,
                outcome,
                header.getEpsilonSpent()));
    context.signatures().logged(signature);
  }
}
