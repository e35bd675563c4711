package org.medfed.coordinator.federation;

import com.google.protobuf.ByteString;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import org.medfed.coordinator.round.ProtocolException;
import org.medfed.proto.v1.ExchangedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every chunked upload shares: a header, then chunks; the first refusal ends the upload (the
 * site gets the status, and the exchange log the refused message once its header was read) and
 * later parts are ignored. gRPC calls one call's observer serially, so its state needs no lock.
 *
 * @param <P> a part of the upload: a header or a chunk
 * @param <R> the answer to the upload
 */
abstract class ChunkedUpload<P, R> implements StreamObserver<P> {
  // The service's logger: uploads log under the name they had when they were part of it.
  static final Logger log = LoggerFactory.getLogger(FederationService.class);

  final UploadContext context;
  final String site;
  final StreamObserver<R> response;
  private final String method;
  // The site's verified signature over the header's digest, once the header was accepted.
  SiteSignature signature = SiteSignature.NONE;
  private boolean failed;

  ChunkedUpload(UploadContext context, String site, String method, StreamObserver<R> response) {
    this.context = context;
    this.site = site;
    this.method = method;
    this.response = response;
  }

  @Override
  public final void onNext(P part) {
    if (failed) {
      return;
    }
    try {
      accept(part);
    } catch (ProtocolException e) {
      fail(FederationService.refusal(site, method, e));
    }
  }

  @Override
  public final void onCompleted() {
    if (failed) {
      return;
    }
    try {
      complete();
    } catch (ProtocolException e) {
      fail(FederationService.refusal(site, method, e));
    }
  }

  /** Takes one part, a header or a chunk. */
  abstract void accept(P part) throws ProtocolException;

  /** The site has sent all it will send on this call. */
  abstract void complete() throws ProtocolException;

  /** Records the refused upload in the exchange log, if its header was read. */
  abstract void recordRefused(String outcome);

  /** Ends the upload with this status; later parts are ignored. */
  final void fail(StatusException status) {
    failed = true;
    recordRefused(FederationService.describe(status.getStatus()));
    response.onError(status);
  }

  static ProtocolException notAPart() {
    return new ProtocolException(
        ProtocolException.Kind.INVALID, "an upload part must be a header or a chunk");
  }

  /** The log entry for the uploaded vector, signed by the site when its header was verified. */
  final ExchangedMessage fromSite(ByteString sha256, long size, String outcome, double epsilon) {
    return FederationService.fromSite(
        context.coordinatorName(), method, site, sha256, size, outcome, epsilon, signature);
  }
}
