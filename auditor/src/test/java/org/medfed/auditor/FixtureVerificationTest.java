package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.crypto.pki.CertificateAuthority;

/**
 * The real demo log passes; its sizes are read from the fixture, so that regenerating it does not
 * break these tests.
 */
class FixtureVerificationTest {
  private final byte[] log = TestLogs.read(TestLogs.fixture().resolve("exchange.log"));
  private final byte[] heads = TestLogs.read(TestLogs.fixture().resolve("tree-heads.log"));
  private final List<byte[]> entries = TestLogs.payloads(log);

  @Test
  void demoRunLogVerifiesWithExitZero() {
    Path log = TestLogs.fixture();
    TestLogs.Run run =
        TestLogs.run(
            "verify", "--log", log.toString(), "--ca", log.resolve("ca.crt.pem").toString());

    assertEquals(0, run.exitCode(), run.out());
    assertTrue(run.out().contains("VERIFIED: 9 passed, 0 failed, 1 skipped"), run.out());
    assertEquals("", run.err());
  }

  @Test
  void demoRunReportsEveryCheckWithItsStatus() throws IOException {
    AuditReport report = LogAuditor.verify(TestLogs.fixture(), TestLogs.fixtureCa());

    Map<String, CheckStatus> statuses =
        report.checks().stream()
            .collect(Collectors.toMap(CheckResult::name, CheckResult::status, (a, b) -> a));
    assertEquals(
        Map.of(
            "file-integrity", CheckStatus.PASSED,
            "coordinator-identity", CheckStatus.PASSED,
            "tree-heads", CheckStatus.PASSED,
            "protocol", CheckStatus.PASSED,
            "round-openings", CheckStatus.PASSED,
            "sender-signatures", CheckStatus.PASSED,
            "privacy-budget", CheckStatus.PASSED,
            "receipts", CheckStatus.SKIPPED,
            "aggregate-recomputation", CheckStatus.PASSED,
            "model-step", CheckStatus.PASSED),
        statuses);
    assertEquals(10, report.checks().size());
    assertEquals(entries.size(), report.entries());
    assertEquals(TestLogs.payloads(heads).size(), report.treeHeads());
    assertTrue(report.passed());
  }

  @Test
  void demoRunIsCoveredEntirelyByItsLatestTreeHeadWithoutAnyWarning() throws IOException {
    AuditReport report = LogAuditor.verify(TestLogs.fixture(), TestLogs.fixtureCa());
    CheckResult treeHeads = report.check("tree-heads").orElseThrow();

    // The coordinator signs a final head at shutdown: nothing of a stopped run is left unsigned.
    assertEquals(entries.size(), TestLogs.latestTreeSize(heads));
    assertTrue(
        treeHeads
            .summary()
            .endsWith("the latest covers " + entries.size() + " of " + entries.size() + " entries"),
        treeHeads.summary());
    assertEquals(List.of(), report.checks().stream().flatMap(c -> c.warnings().stream()).toList());
  }

  @Test
  void entriesAppendedAfterTheLatestTreeHeadAreAWarningWithTheirCountAndFirstIndex() {
    int signed = entries.size();
    byte[] extended = TestLogs.frame(TestLogs.withUnsignedTail(entries, 3));

    AuditReport report = LogAuditor.verify("tail", extended, heads, TestLogs.fixtureCa());

    assertTrue(report.passed(), report.toText());
    CheckResult treeHeads = report.check("tree-heads").orElseThrow();
    assertEquals(CheckStatus.PASSED, treeHeads.status());
    assertEquals(1, treeHeads.warnings().size(), treeHeads.warnings().toString());
    Finding warning = treeHeads.warnings().getFirst();
    assertTrue(
        warning
            .message()
            .startsWith("3 entries (" + signed + ".." + (signed + 2) + ") were appended after"),
        warning.message());
    assertEquals((long) signed, warning.entryIndex());
  }

  @Test
  void demoRunProtocolSummaryCountsItsThreeCompletedRounds() throws IOException {
    CheckResult protocol =
        LogAuditor.verify(TestLogs.fixture(), TestLogs.fixtureCa()).check("protocol").orElseThrow();

    long messages = entries.stream().filter(e -> TestLogs.parseEntry(e).hasMessage()).count();
    assertEquals(
        "1 study, 3 rounds (3 completed, 0 failed), " + messages + " messages (0 refused)",
        protocol.summary());
  }

  @Test
  void demoRunOpensEachOfItsThreeRoundsWithRoundOpened() throws IOException {
    CheckResult openings =
        LogAuditor.verify(TestLogs.fixture(), TestLogs.fixtureCa())
            .check("round-openings")
            .orElseThrow();

    assertEquals(CheckStatus.PASSED, openings.status(), openings.failures().toString());
    assertEquals("3 rounds: opening, participants and base model lineage", openings.summary());
    assertEquals(
        3,
        entries.stream()
            .map(TestLogs::parseEntry)
            .filter(e -> e.hasDecision() && e.getDecision().hasRoundOpened())
            .count());
  }

  @Test
  void jsonReportCarriesTheSameStatusesAndWhereAWarningWasFound(@TempDir Path temp)
      throws IOException {
    // The demo log with two entries appended after its latest head, so the report has a finding.
    Path log = temp.resolve("log");
    TestLogs.write(log, TestLogs.frame(TestLogs.withUnsignedTail(entries, 2)), heads);
    TestLogs.writeCa(log, TestLogs.fixtureCa());
    Path json = temp.resolve("report.json");

    int code =
        TestLogs.quietRun(
            "verify",
            "--log",
            log.toString(),
            "--ca",
            log.resolve("ca.crt.pem").toString(),
            "--json",
            json.toString());

    String text = Files.readString(json);
    assertEquals(0, code);
    assertTrue(text.contains("\"verified\":true"), text);
    assertTrue(text.contains("{\"name\":\"tree-heads\",\"status\":\"passed\""), text);
    assertTrue(text.contains("{\"name\":\"round-openings\",\"status\":\"passed\""), text);
    assertTrue(text.contains("{\"name\":\"receipts\",\"status\":\"skipped\""), text);
    assertTrue(text.contains("\"entryIndex\":" + entries.size()), text);
  }

  @Test
  void demoRunFailsAgainstAnotherConsortiumsCa(@TempDir Path temp) {
    CertificateAuthority stranger = CertificateAuthority.create("stranger", Duration.ofDays(1));
    Path ca = TestLogs.writeCa(temp, stranger.certificate());

    TestLogs.Run run =
        TestLogs.run("verify", "--log", TestLogs.fixture().toString(), "--ca", ca.toString());

    assertEquals(1, run.exitCode());
    assertTrue(run.out().contains("FAILED   coordinator-identity"), run.out());
    assertTrue(run.out().contains("FAILED   tree-heads"), run.out());
    assertTrue(run.out().contains("not by the consortium CA"), run.out());
  }

  @Test
  void reportListsEveryCheckOnItsOwnLine() throws IOException {
    AuditReport report = LogAuditor.verify(TestLogs.fixture(), TestLogs.fixtureCa());
    List<String> lines = report.toText().lines().toList();

    for (CheckResult check : report.checks()) {
      assertEquals(
          1,
          lines.stream().filter(l -> l.matches("  \\S+\\s+" + check.name() + "\\s.*")).count(),
          check.name());
    }
  }
}
