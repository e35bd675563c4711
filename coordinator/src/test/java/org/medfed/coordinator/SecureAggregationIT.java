package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.round.RoundRecord;
import org.medfed.coordinator.round.SiteRoundResult;
import org.medfed.coordinator.round.StudyCheckpoint;
import org.medfed.coordinator.round.StudyStatus;
import org.medfed.coordinator.strategy.StrategyConfig;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.RoundOpened;
import org.medfed.proto.v1.StudyOpened;

/**
 * Four real site nodes and a coordinator over loopback mutual TLS with secure aggregation on: the
 * coordinator receives only masked vectors, and the study trains as well as in plaintext.
 */
@Timeout(180)
class SecureAggregationIT {
  private static final String SECURE = "secure-aggregation: {enabled: true, phase-deadline: 10s}";

  @TempDir Path dir;

  @Test
  void coordinatorReceivesOnlyMaskedUpdatesAndTheModelTrainsAsInPlaintext() throws Exception {
    StudyCheckpoint secure = run(dir.resolve("secure"), SECURE);
    StudyCheckpoint plain = run(dir.resolve("plain"), "");
    assertEquals(StudyStatus.COMPLETED, secure.status(), secure.outcome());
    assertEquals(3, secure.roundsCompleted());
    for (RoundRecord round : secure.rounds()) {
      assertTrue(
          round.sites().stream().allMatch(s -> s.outcome() == SiteRoundResult.Outcome.UPDATED),
          round.toString());
    }
    double secureAccuracy = secure.rounds().getLast().clientAverageAccuracy().orElseThrow();
    double plainAccuracy = plain.rounds().getLast().clientAverageAccuracy().orElseThrow();
    assertEquals(plainAccuracy, secureAccuracy, 0.005, "secure vs plaintext client average");
  }

  private StudyCheckpoint run(Path root, String extra) throws Exception {
    Files.createDirectories(root);
    TestNetwork network = new TestNetwork(root);
    try (CoordinatorNode coordinator =
        network.coordinator(network.study(3, 4, "20s", "stop", extra), 0)) {
      List<TestNetwork.RunningSite> sites = new ArrayList<>();
      for (String site : TestNetwork.SITES) {
        sites.add(network.site(site, coordinator.grpcPort()));
      }
      assertTrue(coordinator.engine().awaitEnd(Duration.ofSeconds(120)), "study did not end");
      for (TestNetwork.RunningSite site : sites) {
        site.outcome().get();
        site.close();
      }
      if (!extra.isEmpty()) {
        assertOnlyMaskedInputsWereReceived(coordinator, root);
        assertTheStrategyAndInitialModelAreLoggedForReplay(coordinator, root);
      }
      return coordinator.engine().view().checkpoint();
    }
  }

  private static void assertOnlyMaskedInputsWereReceived(CoordinatorNode coordinator, Path root)
      throws Exception {
    List<LogEntry> entries = coordinator.exchangeLog().entries(0, coordinator.exchangeLog().size());
    List<ExchangedMessage> messages =
        entries.stream().filter(LogEntry::hasMessage).map(LogEntry::getMessage).toList();
    assertTrue(messages.stream().noneMatch(m -> m.getRpc().equals("PushUpdate")));
    for (String rpc : List.of("AdvertiseKeys", "ShareKeys", "PushMaskedInput", "RevealShares")) {
      assertEquals(
          12,
          messages.stream()
              .filter(m -> m.getRpc().equals(rpc) && m.getOutcome().equals("accepted"))
              .count(),
          rpc + ": 4 sites x 3 rounds");
    }
    // Each masked input is retained under the digest its log entry carries.
    Path retained = root.resolve("coordinator-data/exchange-log/contributions");
    for (ExchangedMessage m : messages) {
      if (m.getRpc().equals("PushMaskedInput")) {
        Path file =
            retained.resolve(HexFormat.of().formatHex(m.getPayloadSha256().toByteArray()) + ".bin");
        assertEquals(m.getPayloadSize(), Files.size(file));
      }
    }
  }

  /**
   * What an auditor replays each global model from: the strategy and the retained initial model.
   */
  private static void assertTheStrategyAndInitialModelAreLoggedForReplay(
      CoordinatorNode coordinator, Path root) throws Exception {
    List<LogEntry> entries = coordinator.exchangeLog().entries(0, coordinator.exchangeLog().size());
    StudyOpened opened =
        entries.stream()
            .filter(e -> e.hasDecision() && e.getDecision().hasStudyOpened())
            .findFirst()
            .orElseThrow()
            .getDecision()
            .getStudyOpened();
    StrategyConfig configured = coordinator.engine().study().strategy();
    assertEquals(configured.name(), opened.getStrategy().getName());
    assertEquals(configured.serverLearningRate(), opened.getStrategy().getServerLearningRate());
    assertEquals(configured.beta1(), opened.getStrategy().getBeta1());
    assertEquals(configured.beta2(), opened.getStrategy().getBeta2());
    assertEquals(configured.tau(), opened.getStrategy().getTau());
    assertEquals(configured.proximalMu(), opened.getStrategy().getProximalMu());
    RoundOpened first =
        entries.stream()
            .filter(e -> e.hasDecision() && e.getDecision().hasRoundOpened())
            .findFirst()
            .orElseThrow()
            .getDecision()
            .getRoundOpened();
    assertEquals(first.getBaseModelSha256(), opened.getInitialModelSha256());
    byte[] initial =
        Files.readAllBytes(
            root.resolve("coordinator-data/exchange-log/contributions")
                .resolve(
                    HexFormat.of().formatHex(opened.getInitialModelSha256().toByteArray())
                        + ".bin"));
    assertEquals(
        HexFormat.of().formatHex(opened.getInitialModelSha256().toByteArray()),
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(initial)));
  }
}
