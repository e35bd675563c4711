package org.medfed.site.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.MessageLite;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.sign.MessageStatement;
import org.medfed.crypto.sign.Signatures;
import org.medfed.proto.v1.DeclineRoundRequest;
import org.medfed.proto.v1.DeclineRoundResponse;
import org.medfed.proto.v1.FederationGrpc;
import org.medfed.proto.v1.JoinRequest;
import org.medfed.proto.v1.JoinResponse;
import org.medfed.proto.v1.ReportEvaluationRequest;
import org.medfed.proto.v1.ReportEvaluationResponse;
import org.medfed.site.config.ConfigException;

/**
 * The site's chain of signed statements against a real (in-process) gRPC server that plays the
 * coordinator's part as the wire contract defines it: it verifies each signature over the
 * medfed-message-v2 statement and, for the calls it logs, answers with the logged statement's
 * SHA-256 in the medfed-logged-bin trailer. Join is logged and accepted, DeclineRound logged and
 * refused, ReportEvaluation refused without an entry.
 */
class MessageSigningTest {
  @TempDir Path state;
  private final IssuedCredential credential =
      CertificateAuthority.create("test", Duration.ofDays(1))
          .issueSite("cleveland", Duration.ofDays(1));
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile CountDownLatch joinsTogether = new CountDownLatch(0);
  private Server server;
  private String name;

  /** What the server saw of one call: the statement's parts and whether its signature verified. */
  private record Received(String rpc, byte[] previous, byte[] link, boolean verified) {}

  private static final Context.Key<Metadata> HEADERS_OF_CALL = Context.key("headers");
  private static final Context.Key<AtomicReference<byte[]>> LOGGED_OF_CALL = Context.key("logged");

  @BeforeEach
  void start() throws Exception {
    name = InProcessServerBuilder.generateName();
    FederationGrpc.FederationImplBase service =
        new FederationGrpc.FederationImplBase() {
          @Override
          public void join(JoinRequest request, StreamObserver<JoinResponse> response) {
            Received call = receive("Join", request);
            joinsTogether.countDown();
            try {
              joinsTogether.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            LOGGED_OF_CALL.get().set(call.link());
            response.onNext(JoinResponse.newBuilder().setSiteId("cleveland").build());
            response.onCompleted();
          }

          @Override
          public void declineRound(
              DeclineRoundRequest request, StreamObserver<DeclineRoundResponse> response) {
            Received call = receive("DeclineRound", request);
            LOGGED_OF_CALL.get().set(call.link());
            response.onError(Status.FAILED_PRECONDITION.withDescription("no round").asException());
          }

          @Override
          public void reportEvaluation(
              ReportEvaluationRequest request, StreamObserver<ReportEvaluationResponse> response) {
            receive("ReportEvaluation", request);
            response.onError(Status.UNAVAILABLE.withDescription("shutting down").asException());
          }
        };
    ServerInterceptor coordinatorSide =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            AtomicReference<byte[]> logged = new AtomicReference<>();
            Context context =
                Context.current()
                    .withValue(HEADERS_OF_CALL, headers)
                    .withValue(LOGGED_OF_CALL, logged);
            ServerCall<Q, R> answering =
                new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                  @Override
                  public void close(Status status, Metadata trailers) {
                    if (logged.get() != null) {
                      trailers.put(MessageSigning.LOGGED, logged.get());
                    }
                    super.close(status, trailers);
                  }
                };
            return Contexts.interceptCall(context, answering, headers, next);
          }
        };
    server =
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(service, coordinatorSide))
            .build()
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private Received receive(String rpc, MessageLite request) {
    Metadata headers = HEADERS_OF_CALL.get();
    byte[] previous = headers.get(MessageSigning.PREVIOUS);
    byte[] statement;
    boolean verified;
    try {
      statement =
          MessageStatement.of(
              rpc, MessageDigest.getInstance("SHA-256").digest(request.toByteArray()), previous);
      verified =
          Signatures.verifier(credential.certificate())
              .verify(headers.get(MessageSigning.SIGNATURE), statement);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    Received call = new Received(rpc, previous, MessageStatement.link(statement), verified);
    received.add(call);
    return call;
  }

  /** A site's channel as SiteChannels builds it, over the in-process transport. */
  private ManagedChannel channel(MessageChain chain) {
    return InProcessChannelBuilder.forName(name)
        .intercept(new MessageSigning(() -> credential, chain))
        .build();
  }

  private static void close(ManagedChannel channel) throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static JoinRequest join(int n) {
    return JoinRequest.newBuilder().setSoftwareVersion("v" + n).build();
  }

  @Test
  void eachMessageNamesThePreviousLoggedStatementStartingFromZeros() throws Exception {
    ManagedChannel channel = channel(MessageChain.in(state));
    try {
      FederationGrpc.FederationBlockingStub stub = FederationGrpc.newBlockingStub(channel);
      stub.join(join(1));
      stub.join(join(2));
      stub.join(join(3));
    } finally {
      close(channel);
    }

    assertEquals(3, received.size());
    assertTrue(received.stream().allMatch(Received::verified));
    assertArrayEquals(MessageStatement.noPrevious(), received.get(0).previous());
    assertArrayEquals(received.get(0).link(), received.get(1).previous());
    assertArrayEquals(received.get(1).link(), received.get(2).previous());
  }

  @Test
  void theChainHeadSurvivesARestart() throws Exception {
    ManagedChannel before = channel(MessageChain.in(state));
    try {
      FederationGrpc.newBlockingStub(before).join(join(1));
    } finally {
      close(before);
    }

    // A new process: the chain is read back from the state directory.
    ManagedChannel after = channel(MessageChain.in(state));
    try {
      FederationGrpc.newBlockingStub(after).join(join(2));
    } finally {
      close(after);
    }

    assertArrayEquals(received.get(0).link(), received.get(1).previous());
    assertEquals(
        HexFormat.of().formatHex(received.get(1).link()) + "\n",
        Files.readString(state.resolve("receipts").resolve(MessageChain.FILE)));
  }

  @Test
  void aLoggedRefusalAdvancesTheChainAndAnUnloggedOneDoesNot() throws Exception {
    ManagedChannel channel = channel(MessageChain.in(state));
    try {
      FederationGrpc.FederationBlockingStub stub = FederationGrpc.newBlockingStub(channel);
      stub.join(join(1));
      assertThrows(
          StatusRuntimeException.class,
          () -> stub.declineRound(DeclineRoundRequest.newBuilder().setRound(7).build()));
      assertThrows(
          StatusRuntimeException.class,
          () -> stub.reportEvaluation(ReportEvaluationRequest.newBuilder().setRound(7).build()));
      stub.join(join(2));
    } finally {
      close(channel);
    }

    List<String> rpcs = received.stream().map(Received::rpc).toList();
    assertEquals(List.of("Join", "DeclineRound", "ReportEvaluation", "Join"), rpcs);
    // DeclineRound was refused but logged: the next message names it.
    assertArrayEquals(received.get(1).link(), received.get(2).previous());
    // ReportEvaluation never reached the log: the chain skips it.
    assertArrayEquals(received.get(1).link(), received.get(3).previous());
  }

  @Test
  void concurrentCallsForkFromTheSamePredecessorAndTheChainGoesOnFromOneBranch() throws Exception {
    ManagedChannel channel = channel(MessageChain.in(state));
    try {
      FederationGrpc.newBlockingStub(channel).join(join(0));
      // Both calls are in the server at once before either is answered.
      joinsTogether = new CountDownLatch(2);
      FederationGrpc.FederationFutureStub async = FederationGrpc.newFutureStub(channel);
      var one = async.join(join(1));
      var two = async.join(join(2));
      one.get(10, TimeUnit.SECONDS);
      two.get(10, TimeUnit.SECONDS);
      joinsTogether = new CountDownLatch(0);
      FederationGrpc.newBlockingStub(channel).join(join(3));
    } finally {
      close(channel);
    }

    byte[] root = received.get(0).link();
    assertArrayEquals(root, received.get(1).previous());
    assertArrayEquals(root, received.get(2).previous());
    byte[] next = received.get(3).previous();
    assertTrue(
        Arrays.equals(next, received.get(1).link()) || Arrays.equals(next, received.get(2).link()),
        "the message after the fork names one of its branches");
  }

  @Test
  void aDamagedChainHeadStopsTheSiteWithWhatToDo() throws Exception {
    Files.createDirectories(state.resolve("receipts"));
    Files.writeString(state.resolve("receipts").resolve(MessageChain.FILE), "not hex\n");

    ConfigException damaged = assertThrows(ConfigException.class, () -> MessageChain.in(state));
    assertTrue(
        damaged.getMessage().contains("delete it to start a new chain"), damaged.getMessage());
  }
}
