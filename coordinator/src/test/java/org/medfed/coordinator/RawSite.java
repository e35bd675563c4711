package org.medfed.coordinator;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.medfed.proto.chunks.VectorChunks;
import org.medfed.proto.v1.AnswerInvitationRequest;
import org.medfed.proto.v1.FederationGrpc;
import org.medfed.proto.v1.JoinRequest;
import org.medfed.proto.v1.PollTaskRequest;
import org.medfed.proto.v1.PollTaskResponse;
import org.medfed.proto.v1.PushUpdateRequest;
import org.medfed.proto.v1.PushUpdateResponse;
import org.medfed.proto.v1.UpdateHeader;
import org.medfed.proto.v1.VectorChunk;

/**
 * A hand-driven site for tests that need a site to misbehave: stay silent, or send a malformed
 * update. It uses a real certificate over real mutual TLS.
 */
final class RawSite implements AutoCloseable {
  final ManagedChannel channel;
  final FederationGrpc.FederationBlockingStub stub;
  final FederationGrpc.FederationStub async;

  RawSite(ManagedChannel channel) {
    this.channel = channel;
    this.stub = FederationGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    this.async = FederationGrpc.newStub(channel);
  }

  /** Joins and accepts the study invitation, then does nothing more unless told to. */
  RawSite joinAndAccept() {
    stub.join(JoinRequest.getDefaultInstance());
    PollTaskResponse task = pollFor(PollTaskResponse.TaskCase.INVITATION);
    stub.answerInvitation(
        AnswerInvitationRequest.newBuilder()
            .setStudyId(task.getInvitation().getStudyId())
            .setAccept(true)
            .build());
    return this;
  }

  PollTaskResponse pollFor(PollTaskResponse.TaskCase wanted) {
    for (int i = 0; i < 50; i++) {
      PollTaskResponse task =
          stub.pollTask(PollTaskRequest.newBuilder().setMaxWaitMillis(1_000).build());
      if (task.getTaskCase() == wanted) {
        return task;
      }
    }
    throw new AssertionError("no " + wanted + " task arrived");
  }

  /** Pushes the given vector as an update for the task's round; returns the response or error. */
  CompletableFuture<PushUpdateResponse> push(UpdateHeader.Builder header, float[] values) {
    header
        .setVectorLength(values.length)
        .setVectorSha256(ByteString.copyFrom(VectorChunks.sha256(values)));
    CompletableFuture<PushUpdateResponse> result = new CompletableFuture<>();
    StreamObserver<PushUpdateRequest> stream =
        async.pushUpdate(
            new StreamObserver<>() {
              @Override
              public void onNext(PushUpdateResponse value) {
                result.complete(value);
              }

              @Override
              public void onError(Throwable t) {
                result.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {}
            });
    stream.onNext(PushUpdateRequest.newBuilder().setHeader(header).build());
    // The splitter passes NaN through unchanged: only the receiver validates.
    List<VectorChunk> chunks = VectorChunks.split(values, 0, 4);
    chunks.forEach(c -> stream.onNext(PushUpdateRequest.newBuilder().setChunk(c).build()));
    stream.onCompleted();
    return result;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
  }
}
