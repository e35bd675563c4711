package org.medfed.site.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.proto.v1.FederationGrpc;
import org.medfed.proto.v1.JoinRequest;
import org.medfed.proto.v1.JoinResponse;
import org.medfed.proto.v1.StudyInvitation;

/** The guard in front of a real (in-process) gRPC server. */
class EgressGuardTest {
  @TempDir Path state;
  private final AtomicInteger received = new AtomicInteger();
  private Server server;
  private ManagedChannel channel;
  private EgressLedger ledger;

  /** A method whose request type is not on the allowed list. */
  private static final MethodDescriptor<StudyInvitation, JoinResponse> LEAK =
      MethodDescriptor.<StudyInvitation, JoinResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("test.Leak/Send")
          .setRequestMarshaller(ProtoUtils.marshaller(StudyInvitation.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(JoinResponse.getDefaultInstance()))
          .build();

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new FederationGrpc.FederationImplBase() {
                  @Override
                  public void join(JoinRequest request, StreamObserver<JoinResponse> response) {
                    received.incrementAndGet();
                    response.onNext(JoinResponse.newBuilder().setSiteId("cleveland").build());
                    response.onCompleted();
                  }
                })
            .addService(
                ServerServiceDefinition.builder("test.Leak")
                    .addMethod(
                        LEAK,
                        ServerCalls.asyncUnaryCall(
                            (StudyInvitation request, StreamObserver<JoinResponse> response) -> {
                              received.incrementAndGet();
                              response.onNext(JoinResponse.getDefaultInstance());
                              response.onCompleted();
                            }))
                    .build())
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    ledger = new EgressLedger(state);
  }

  @AfterEach
  void stop() throws Exception {
    ledger.close();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void allowedMessageIsSentAndWrittenToTheLedger() throws Exception {
    Channel guarded = SiteChannels.guarded(channel, ledger);
    JoinRequest join = JoinRequest.newBuilder().setSoftwareVersion("test").build();
    FederationGrpc.newBlockingStub(guarded).join(join);
    assertEquals(1, received.get());
    assertEquals(join.getSerializedSize(), ledger.bytesSent());
    assertTrue(ledger.bytesReceived() > 0);
    String log = Files.readString(state.resolve("egress.jsonl"));
    assertTrue(log.contains("\"type\":\"JoinRequest\""), log);
  }

  @Test
  void messageTypeOutsideTheContractNeverLeavesTheSite() throws Exception {
    Channel guarded = SiteChannels.guarded(channel, ledger);
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    guarded,
                    LEAK,
                    io.grpc.CallOptions.DEFAULT,
                    StudyInvitation.newBuilder().setStudyId("x").build()));
    assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
    assertEquals(0, received.get(), "the server received the refused message");
    assertEquals(0, ledger.bytesSent());
    ledger.writeSummary();
    assertTrue(Files.readString(state.resolve("egress.jsonl")).contains("\"action\":\"refused\""));
    assertTrue(
        Files.readString(state.resolve("egress-summary.json")).contains("\"refused_messages\": 1"));
  }
}
