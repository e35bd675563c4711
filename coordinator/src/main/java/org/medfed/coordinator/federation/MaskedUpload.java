package org.medfed.coordinator.federation;

import io.grpc.stub.StreamObserver;
import java.util.Optional;
import org.medfed.coordinator.round.ProtocolException;
import org.medfed.proto.secagg.MaskedAssembler;
import org.medfed.proto.secagg.SecureAggregationWire;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.MaskedChunk;
import org.medfed.proto.v1.MaskedInputHeader;
import org.medfed.proto.v1.PushMaskedInputRequest;
import org.medfed.proto.v1.PushMaskedInputResponse;

/**
 * One masked upload (PushMaskedInput): a header, then chunks in order. Unlike a plaintext update it
 * is not resumed: a broken masked upload is simply sent again while its phase is open.
 */
final class MaskedUpload extends ChunkedUpload<PushMaskedInputRequest, PushMaskedInputResponse> {
  private MaskedInputHeader header;
  private MaskedAssembler assembler;

  MaskedUpload(
      UploadContext context, String site, StreamObserver<PushMaskedInputResponse> response) {
    super(context, site, "PushMaskedInput", response);
  }

  @Override
  void accept(PushMaskedInputRequest part) throws ProtocolException {
    switch (part.getPartCase()) {
      case HEADER -> start(part.getHeader());
      case CHUNK -> add(part.getChunk());
      case PART_NOT_SET -> throw notAPart();
    }
  }

  private void start(MaskedInputHeader received) throws ProtocolException {
    if (header != null) {
      throw new ProtocolException(
          ProtocolException.Kind.INVALID, "an upload carries exactly one header");
    }
    if (received.getVectorSha256().size() != 32) {
      throw new ProtocolException(ProtocolException.Kind.INVALID, "vector_sha256 must be 32 bytes");
    }
    signature =
        context
            .signatures()
            .verify(site, "PushMaskedInput", received.getVectorSha256().toByteArray());
    context
        .engine()
        .checkMaskedInputHeader(
            site,
            received.getStudyId(),
            received.getRound(),
            received.getBaseModelVersion(),
            received.getVectorLength());
    header = received;
    assembler = new MaskedAssembler(received.getVectorLength());
  }

  private void add(MaskedChunk chunk) throws ProtocolException {
    if (header == null) {
      throw new ProtocolException(
          ProtocolException.Kind.INVALID, "an upload must start with its header");
    }
    int maxChunkElements = context.maxChunkElements();
    if (chunk.getValues().size() > maxChunkElements * Integer.BYTES) {
      throw new ProtocolException(
          ProtocolException.Kind.INVALID,
          "chunk of "
              + chunk.getValues().size() / Integer.BYTES
              + " elements exceeds the limit of "
              + maxChunkElements);
    }
    Optional<String> problem = assembler.accept(chunk);
    if (problem.isPresent()) {
      throw new ProtocolException(ProtocolException.Kind.INVALID, problem.get());
    }
  }

  @Override
  public void onError(Throwable t) {
    log.atInfo()
        .setMessage("masked upload interrupted")
        .addKeyValue("site", site)
        .addKeyValue("received", assembler == null ? 0 : assembler.received())
        .log();
  }

  @Override
  void complete() throws ProtocolException {
    if (header == null) {
      throw new ProtocolException(ProtocolException.Kind.INVALID, "an upload must carry a header");
    }
    if (!assembler.complete()) {
      throw new ProtocolException(
          ProtocolException.Kind.INVALID,
          "the upload ended after "
              + assembler.received()
              + " of "
              + header.getVectorLength()
              + " elements");
    }
    if (!assembler.matches(header.getVectorSha256().toByteArray())) {
      throw new ProtocolException(
          ProtocolException.Kind.INVALID, "the masked input does not match its SHA-256 digest");
    }
    int[] masked = assembler.values();
    context
        .engine()
        .submitMaskedInput(
            site, header.getStudyId(), header.getRound(), header.getBaseModelVersion(), masked);
    context
        .exchangeLog()
        .recordRetained(
            header.getStudyId(),
            header.getRound(),
            entry("accepted"),
            SecureAggregationWire.littleEndian(masked));
    context.signatures().logged(signature);
    response.onNext(
        PushMaskedInputResponse.newBuilder().setReceivedElements(assembler.received()).build());
    response.onCompleted();
  }

  @Override
  void recordRefused(String outcome) {
    if (header != null) {
      context.exchangeLog().recordMessage(header.getStudyId(), header.getRound(), entry(outcome));
      context.signatures().logged(signature);
    }
  }

  private ExchangedMessage entry(String outcome) {
    return fromSite(
        header.getVectorSha256(),
        (long) header.getVectorLength() * Integer.BYTES,
        outcome,
        header.getEpsilonSpent());
  }
}
