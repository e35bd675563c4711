package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.round.RoundRecord;
import org.medfed.coordinator.round.SiteRoundResult;
import org.medfed.coordinator.round.StudyCheckpoint;
import org.medfed.coordinator.round.StudyStatus;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.RoundClosed;
import org.medfed.site.config.TlsFiles;

/**
 * Secure aggregation survives a site process killed (SIGKILL) in any of its four phases: in round
 * r, one site is killed just as phase r opens, after it answered every earlier phase, and restarted
 * for the next round. With threshold 3 of 4 every round completes with the survivors' exact sum;
 * with threshold 4 every round fails cleanly at its deadline and no aggregate is produced.
 */
@Timeout(240)
class SecureAggregationDropoutIT {
  /** Round r kills one site as this phase opens. */
  private static final List<String> KILL_PHASES =
      List.of("training", "share-keys", "masked-input", "unmasking");

  private static final List<String> VICTIMS =
      List.of("cleveland", "hungary", "switzerland", "long-beach");

  @TempDir Path dir;

  @Test
  void roundsCompleteWithThresholdThreeWhenASiteDiesInEachPhase() throws Exception {
    StudyCheckpoint result = run(dir.resolve("t3"), 3);
    assertEquals(StudyStatus.COMPLETED, result.status(), result.outcome());
    assertEquals(4, result.roundsCompleted());
    for (int r = 0; r < 4; r++) {
      RoundRecord round = result.rounds().get(r);
      String victim = VICTIMS.get(r);
      SiteRoundResult dead =
          round.sites().stream().filter(s -> s.site().equals(victim)).findFirst().orElseThrow();
      if (KILL_PHASES.get(r).equals("unmasking")) {
        // Killed after sending its masked input: it is in the sum, its self mask removed by others.
        assertEquals(SiteRoundResult.Outcome.UPDATED, dead.outcome(), round.toString());
        assertEquals(4, updated(round), round.toString());
      } else {
        assertEquals(SiteRoundResult.Outcome.NO_ANSWER, dead.outcome(), round.toString());
        assertEquals(3, updated(round), round.toString());
      }
    }
  }

  @Test
  void roundsFailCleanlyWithThresholdFourWhenASiteDiesInEachPhase() throws Exception {
    StudyCheckpoint result = run(dir.resolve("t4"), 4);
    assertEquals(StudyStatus.FAILED, result.status(), result.outcome());
    assertEquals(0, result.roundsCompleted());
    assertEquals(0, result.modelVersion(), "no aggregate may be produced");
    for (int r = 0; r < 3; r++) {
      RoundRecord round = result.rounds().get(r);
      assertEquals(RoundRecord.Status.FAILED, round.status());
      assertTrue(round.reason().contains("threshold is 4"), round.reason());
    }
    // Killed during unmasking, the victim already sent masked input: four contributors, but only
    // three reveal their shares, so the sum stays masked.
    RoundRecord last = result.rounds().get(3);
    assertEquals(RoundRecord.Status.FAILED, last.status());
    assertTrue(last.reason().contains("BELOW_THRESHOLD"), last.reason());
  }

  private static long updated(RoundRecord round) {
    return round.sites().stream()
        .filter(s -> s.outcome() == SiteRoundResult.Outcome.UPDATED)
        .count();
  }

  private StudyCheckpoint run(Path root, int threshold) throws Exception {
    Files.createDirectories(root);
    TestNetwork network = new TestNetwork(root);
    Path study =
        network.study(
            4,
            3,
            "10s",
            "continue",
            "secure-aggregation: {enabled: true, threshold: %d, phase-deadline: 3s}"
                .formatted(threshold));
    Map<String, Process> processes = new ConcurrentHashMap<>();
    try (CoordinatorNode coordinator = network.coordinator(study, 0)) {
      Map<String, Path> configs = new ConcurrentHashMap<>();
      for (String site : TestNetwork.SITES) {
        configs.put(site, siteConfig(network, root, site, coordinator.grpcPort()));
      }
      List<String> toRestart = new ArrayList<>();
      coordinator
          .engine()
          .addPhaseListener(
              (round, phase, sites) -> {
                if (!toRestart.isEmpty()
                    && (phase.equals("training") || phase.equals("evaluation"))) {
                  String site = toRestart.removeFirst();
                  processes.put(site, start(configs.get(site), root, site));
                }
                if (round <= KILL_PHASES.size() && phase.equals(KILL_PHASES.get(round - 1))) {
                  String victim = VICTIMS.get(round - 1);
                  kill(processes.get(victim));
                  toRestart.add(victim);
                }
              });
      for (String site : TestNetwork.SITES) {
        processes.put(site, start(configs.get(site), root, site));
      }
      assertTrue(coordinator.engine().awaitEnd(Duration.ofSeconds(180)), "study did not end");
      assertNoRoundClosedWithFewerThan(coordinator, threshold);
      return coordinator.engine().view().checkpoint();
    } finally {
      processes.values().forEach(SecureAggregationDropoutIT::kill);
    }
  }

  /** A completed round never aggregates fewer sites than the threshold. */
  private static void assertNoRoundClosedWithFewerThan(CoordinatorNode coordinator, int threshold)
      throws IOException {
    List<LogEntry> entries = coordinator.exchangeLog().entries(0, coordinator.exchangeLog().size());
    for (LogEntry entry : entries) {
      if (entry.hasDecision() && entry.getDecision().hasRoundClosed()) {
        RoundClosed closed = entry.getDecision().getRoundClosed();
        if (closed.getStatus().equals("completed")) {
          assertTrue(closed.getAggregatedSitesCount() >= threshold, closed.toString());
        } else {
          assertEquals(0, closed.getAggregatedSitesCount(), closed.toString());
        }
      }
    }
    assertFalse(
        entries.stream()
            .anyMatch(e -> e.hasMessage() && e.getMessage().getRpc().equals("PushUpdate")),
        "no plaintext update may reach the coordinator");
  }

  private static Path siteConfig(TestNetwork network, Path root, String site, int port)
      throws IOException {
    TlsFiles tls = network.kit(site, network.ca);
    Path data = Path.of(System.getProperty("medfed.repo.root"), "data", "heart-disease");
    Path config = root.resolve("site-" + site + ".yaml");
    Files.writeString(
        config,
        """
        coordinator: localhost:%d
        tls: {certificate: %s, private-key: %s, ca-certificate: %s}
        data:
          connector: csv
          path: %s
          mapping: %s
          split-file: %s
          split-center: %s
        policy:
          allowed-model-types: [logistic-regression]
          allowed-columns: [age, sex, cp, trestbps, chol, fbs, restecg, thalach, exang, oldpeak, num]
        state-dir: %s
        """
            .formatted(
                port,
                tls.certificate(),
                tls.privateKey(),
                tls.caCertificate(),
                data.resolve("processed." + TestNetwork.SITE_FILES.get(site) + ".data"),
                data.resolve("uci-mapping.yaml"),
                data.resolve("flamby_split_rs43.csv"),
                TestNetwork.SITE_FILES.get(site),
                root.resolve("state-" + site)));
    return config;
  }

  private static Process start(Path config, Path root, String site) {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path jar =
        Path.of(System.getProperty("medfed.repo.root"), "site-node/target/medfed-site-node.jar");
    try {
      return new ProcessBuilder(
              java, "-jar", jar.toString(), "--config", config.toString(), "--exit-when-study-ends")
          .redirectErrorStream(true)
          .redirectOutput(
              ProcessBuilder.Redirect.appendTo(root.resolve("site-" + site + ".log").toFile()))
          .start();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void kill(Process process) {
    if (process == null) {
      return;
    }
    try (Stream<ProcessHandle> children = process.descendants()) {
      children.forEach(ProcessHandle::destroyForcibly);
    }
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
