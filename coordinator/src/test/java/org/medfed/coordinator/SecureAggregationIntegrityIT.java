package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.round.RoundRecord;
import org.medfed.coordinator.round.SiteRoundResult;
import org.medfed.coordinator.round.StudyCheckpoint;
import org.medfed.coordinator.round.StudyStatus;
import org.medfed.proto.v1.AdvertiseKeysRequest;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.PollTaskResponse;
import org.medfed.proto.v1.ShareKeysRequest;
import org.medfed.proto.v1.TrainTask;
import org.medfed.site.config.TlsFiles;
import org.medfed.site.federation.MessageChain;
import org.medfed.site.federation.SiteChannels;
import org.medfed.site.federation.SiteCredentials;
import org.medfed.site.secagg.SecureAggregationSetup;
import org.medfed.site.secagg.SecureRoundClient;
import org.medfed.site.secagg.SigningIdentity;

/**
 * Secure-aggregation messages that break the protocol are refused with a precise gRPC status and
 * logged, and the round goes on with the honest sites.
 */
@Timeout(120)
class SecureAggregationIntegrityIT {
  @TempDir Path dir;
  private TestNetwork network;

  @Test
  void forgedReplayedMisshapedAndLateMessagesAreRefusedAndTheRoundGoesOn() throws Exception {
    network = new TestNetwork(dir);
    Path study =
        network.study(
            1,
            3,
            "15s",
            "stop",
            "secure-aggregation: {enabled: true, threshold: 3, phase-deadline: 3s}");
    try (CoordinatorNode coordinator = network.coordinator(study, 0)) {
      TlsFiles tls = network.kit("long-beach", network.ca);
      RawSite raw =
          new RawSite(
                  SiteChannels.open(
                      "localhost:" + coordinator.grpcPort(),
                      tls,
                      MessageChain.in(network.stateDir("long-beach"))))
              .joinAndAccept();
      List<AutoCloseable> sites = new ArrayList<>(List.of(raw));
      for (String site : List.of("cleveland", "hungary", "switzerland")) {
        sites.add(network.site(site, coordinator.grpcPort()));
      }
      TrainTask train = raw.pollFor(PollTaskResponse.TaskCase.TRAIN).getTrain();
      assertTrue(train.hasSecureAggregation(), "the round must be secure");

      // Keys signed with another site's key, presented with this site's certificate.
      SigningIdentity impostor = identity(network.kit("cleveland", network.ca));
      SigningIdentity own = identity(tls);
      AdvertiseKeysRequest forged =
          client(train, new SigningIdentity(impostor.signer(), own.certificateDer())).advertise();
      assertRefused(
          Status.Code.PERMISSION_DENIED, "not signed by", () -> raw.stub.advertiseKeys(forged));

      AdvertiseKeysRequest honest = client(train, own).advertise();
      assertRefused(
          Status.Code.FAILED_PRECONDITION,
          "round 2",
          () -> raw.stub.advertiseKeys(honest.toBuilder().setRound(2).build()));
      assertRefused(
          Status.Code.INVALID_ARGUMENT,
          "WRONG_LENGTH",
          () ->
              raw.stub.advertiseKeys(
                  honest.toBuilder().setMaskingKey(ByteString.copyFrom(new byte[31])).build()));
      assertRefused(
          Status.Code.FAILED_PRECONDITION,
          "share-keys phase",
          () ->
              raw.stub.shareKeys(
                  ShareKeysRequest.newBuilder()
                      .setStudyId(train.getStudyId())
                      .setRound(train.getRound())
                      .build()));
      raw.stub.advertiseKeys(honest);
      // A replay: refused whether or not the phase has closed meanwhile.
      assertRefused(Status.Code.FAILED_PRECONDITION, "", () -> raw.stub.advertiseKeys(honest));

      // The raw site goes silent; the three honest sites finish the round without it.
      assertTrue(coordinator.engine().awaitEnd(Duration.ofSeconds(60)), "study hung");
      StudyCheckpoint result = coordinator.engine().view().checkpoint();
      assertEquals(StudyStatus.COMPLETED, result.status(), result.outcome());
      RoundRecord round = result.rounds().getFirst();
      SiteRoundResult longBeach =
          round.sites().stream()
              .filter(s -> s.site().equals("long-beach"))
              .findFirst()
              .orElseThrow();
      assertEquals(SiteRoundResult.Outcome.NO_ANSWER, longBeach.outcome());
      assertTrue(longBeach.detail().contains("share-keys phase"), longBeach.detail());

      // Too late: the phase has closed.
      assertRefused(
          Status.Code.FAILED_PRECONDITION,
          "not in its secure-aggregation",
          () ->
              raw.stub.shareKeys(
                  ShareKeysRequest.newBuilder()
                      .setStudyId(train.getStudyId())
                      .setRound(train.getRound())
                      .build()));

      List<ExchangedMessage> refusals =
          coordinator.exchangeLog().entries(0, coordinator.exchangeLog().size()).stream()
              .filter(LogEntry::hasMessage)
              .map(LogEntry::getMessage)
              .filter(m -> m.getSender().equals("long-beach") && !m.getOutcome().equals("accepted"))
              .toList();
      assertEquals(6, refusals.size(), refusals.toString());
      assertTrue(refusals.getFirst().getOutcome().startsWith("PERMISSION_DENIED: "));
      for (AutoCloseable site : sites) {
        site.close();
      }
    }
  }

  private SigningIdentity identity(TlsFiles tls) throws Exception {
    return new SecureAggregationSetup(SiteCredentials.load(tls)::current, network.ca.certificate())
        .identity();
  }

  private SecureRoundClient client(TrainTask train, SigningIdentity identity) throws Exception {
    return SecureRoundClient.prepare(
        train.getStudyId(),
        train.getRound(),
        train.getSecureAggregation(),
        "long-beach",
        identity,
        network.ca.certificate(),
        new double[train.getSecureAggregation().getVectorLength() - 1],
        85);
  }

  private static void assertRefused(Status.Code code, String reason, Runnable call) {
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, call::run);
    assertEquals(code, refused.getStatus().getCode(), refused.getStatus().toString());
    assertTrue(
        refused.getStatus().getDescription().contains(reason),
        refused.getStatus().getDescription());
  }
}
