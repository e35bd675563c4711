package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.coordinator.round.Enrolment;
import org.medfed.coordinator.round.RoundRecord;
import org.medfed.coordinator.round.SiteRoundResult;
import org.medfed.coordinator.round.StudyCheckpoint;
import org.medfed.coordinator.round.StudyStatus;
import org.medfed.crypto.merkle.Checkpoint;
import org.medfed.crypto.merkle.MerkleHashes;
import org.medfed.crypto.merkle.MerkleVerifier;
import org.medfed.crypto.merkle.SignedCheckpoint;
import org.medfed.crypto.pki.Pem;
import org.medfed.crypto.sign.Signatures;
import org.medfed.crypto.sign.Verifier;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.RoundClosed;
import org.medfed.proto.v1.SignedTreeHead;
import org.medfed.site.policy.LocalPolicy;

/** A real coordinator and four real site nodes over loopback mutual TLS, on the real data. */
@Timeout(120)
class FederationIT {
  @TempDir Path dir;

  @Test
  void fourHospitalsTrainOneModelOverMutualTls() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    try (CoordinatorNode coordinator = network.coordinator(network.study(5, 4, "20s", "stop"), 0)) {
      List<TestNetwork.RunningSite> sites = new ArrayList<>();
      for (String site : TestNetwork.SITES) {
        sites.add(network.site(site, coordinator.grpcPort()));
      }
      assertTrue(coordinator.engine().awaitEnd(Duration.ofSeconds(90)), "study did not end");
      StudyCheckpoint result = coordinator.engine().view().checkpoint();
      assertEquals(StudyStatus.COMPLETED, result.status(), result.outcome());
      assertEquals(5, result.roundsCompleted());
      assertEquals(5, result.modelVersion());
      for (RoundRecord round : result.rounds()) {
        assertTrue(
            round.sites().stream().allMatch(s -> s.outcome() == SiteRoundResult.Outcome.UPDATED),
            round.toString());
      }
      RoundRecord last = result.rounds().getLast();
      Map<String, Long> records =
          last.sites().stream()
              .collect(Collectors.toMap(SiteRoundResult::site, SiteRoundResult::numExamples));
      // FLamby's train split sizes: the coordinator learns counts, never records.
      assertEquals(
          Map.of("cleveland", 199L, "hungary", 172L, "switzerland", 30L, "long-beach", 85L),
          records);
      assertEquals(4, last.sites().stream().filter(s -> s.evaluation() != null).count());
      double average = last.clientAverageAccuracy().orElseThrow();
      assertTrue(average > 0.65, "client-average accuracy " + average);
      for (TestNetwork.RunningSite site : sites) {
        assertTrue(site.outcome().get().toString().contains("completed"));
        assertTrue(site.ledger().bytesSent() > 0);
        site.close();
      }
      assertExchangeLogRecordsTheStudy(coordinator, result);
      assertTreeHeadsProveTheLog(coordinator, network);
      // Every site holds verified receipts for its five updates, and the heads it checked.
      for (String site : TestNetwork.SITES) {
        List<String> receipts =
            java.nio.file.Files.readAllLines(
                network.stateDir(site).resolve("receipts/receipts.txt"));
        assertEquals(
            5, receipts.stream().filter(line -> line.contains(" PushUpdate ")).count(), site);
        assertTrue(
            java.nio.file.Files.readAllLines(network.stateDir(site).resolve("receipts/heads.txt"))
                    .size()
                >= 5,
            site);
      }
    }
  }

  /**
   * Every signed tree head verifies with the coordinator's certificate, each is consistent with the
   * one before, and every accepted update is provably in the latest.
   */
  private static void assertTreeHeadsProveTheLog(CoordinatorNode coordinator, TestNetwork network)
      throws Exception {
    ExchangeLog log = coordinator.exchangeLog();
    Verifier coordinatorKey =
        Signatures.verifier(
            Pem.parseCertificate(
                java.nio.file.Files.readString(network.dir.resolve("coordinator.crt.pem"))));
    List<SignedCheckpoint> heads = new ArrayList<>();
    for (SignedTreeHead head : log.treeHeads()) {
      SignedCheckpoint signed =
          new SignedCheckpoint(
              Checkpoint.parse(head.getCheckpoint().toByteArray()),
              head.getSignature().toByteArray());
      signed.verify(coordinatorKey);
      heads.add(signed);
    }
    assertEquals(6, heads.size(), "one per round and one when the study closed");
    for (int i = 1; i < heads.size(); i++) {
      Checkpoint older = heads.get(i - 1).checkpoint();
      Checkpoint newer = heads.get(i).checkpoint();
      MerkleVerifier.verifyConsistency(
          older, newer, log.consistencyProof(older.treeSize(), newer.treeSize()));
    }
    Checkpoint latest = heads.getLast().checkpoint();
    List<byte[]> raw = log.rawEntries(0, latest.treeSize());
    for (int i = 0; i < raw.size(); i++) {
      LogEntry entry = LogEntry.parseFrom(raw.get(i));
      if (entry.hasMessage() && entry.getMessage().getRpc().equals("PushUpdate")) {
        MerkleVerifier.verifyInclusion(
            MerkleHashes.leafHash(raw.get(i)), i, log.inclusionProof(i, latest.treeSize()), latest);
      }
    }
  }

  /** Every update and every decision is in the log, with digests and never with content. */
  private static void assertExchangeLogRecordsTheStudy(
      CoordinatorNode coordinator, StudyCheckpoint result) throws Exception {
    List<LogEntry> entries = coordinator.exchangeLog().entries(0, coordinator.exchangeLog().size());
    assertTrue(entries.getFirst().getDecision().hasLogOpened(), entries.getFirst().toString());
    assertTrue(entries.get(1).getDecision().hasStudyOpened(), entries.get(1).toString());
    List<ExchangedMessage> updates =
        entries.stream()
            .filter(e -> e.hasMessage() && e.getMessage().getRpc().equals("PushUpdate"))
            .map(LogEntry::getMessage)
            .toList();
    assertEquals(20, updates.size(), "4 sites x 5 rounds");
    for (ExchangedMessage update : updates) {
      assertEquals("accepted", update.getOutcome());
      assertEquals("coordinator", update.getReceiver());
      assertTrue(TestNetwork.SITES.contains(update.getSender()), update.getSender());
      assertEquals(32, update.getPayloadSha256().size());
      assertEquals(14 * 4, update.getPayloadSize());
    }
    List<RoundClosed> closed =
        entries.stream()
            .filter(e -> e.hasDecision() && e.getDecision().hasRoundClosed())
            .map(e -> e.getDecision().getRoundClosed())
            .toList();
    assertEquals(5, closed.size());
    assertEquals(
        result.modelSha256(),
        java.util.HexFormat.of().formatHex(closed.getLast().getNewModelSha256().toByteArray()));
    // The study closes once, after its last round; only the sites' "study ended" tasks follow.
    List<LogEntry> closings =
        entries.stream().filter(e -> e.hasDecision() && e.getDecision().hasStudyClosed()).toList();
    assertEquals(1, closings.size());
    assertEquals("completed", closings.getFirst().getDecision().getStudyClosed().getStatus());
    entries
        .subList(entries.indexOf(closings.getFirst()) + 1, entries.size())
        .forEach(e -> assertEquals("PollTask", e.getMessage().getRpc(), e.toString()));
  }

  @Test
  void siteWhosePolicyForbidsAColumnDeclinesAndTheOthersTrain() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    LocalPolicy noCholesterol =
        new LocalPolicy(
            Set.of("logistic-regression"),
            Set.of(
                "age",
                "sex",
                "cp",
                "trestbps",
                "fbs",
                "restecg",
                "thalach",
                "exang",
                "oldpeak",
                "num"));
    try (CoordinatorNode coordinator = network.coordinator(network.study(2, 3, "20s", "stop"), 0)) {
      List<TestNetwork.RunningSite> sites = new ArrayList<>();
      for (String site : TestNetwork.SITES) {
        sites.add(
            site.equals("switzerland")
                ? network.site(site, coordinator.grpcPort(), noCholesterol)
                : network.site(site, coordinator.grpcPort()));
      }
      assertTrue(coordinator.engine().awaitEnd(Duration.ofSeconds(60)), "study did not end");
      StudyCheckpoint result = coordinator.engine().view().checkpoint();
      assertEquals(StudyStatus.COMPLETED, result.status(), result.outcome());
      Enrolment switzerland = result.enrolment().get("switzerland");
      assertEquals(Enrolment.Status.DECLINED, switzerland.status());
      assertTrue(switzerland.reason().contains("chol"), switzerland.reason());
      for (RoundRecord round : result.rounds()) {
        assertEquals(3, round.sites().size(), "a declined site is not asked to train");
      }
      for (TestNetwork.RunningSite site : sites) {
        site.close();
      }
    }
  }
}
