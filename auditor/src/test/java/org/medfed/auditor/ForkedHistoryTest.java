package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.proto.v1.LogEntry;

/**
 * A coordinator that signs two histories: heads that are each validly signed by the real
 * coordinator key, but whose logs diverge after a common prefix.
 */
class ForkedHistoryTest {
  private final TestLogs.Consortium consortium = new TestLogs.Consortium();
  private final Instant t0 = consortium.start;

  /**
   * The log opening, then {@code count} messages to {@code site}, the first {@code shared} common.
   */
  private List<byte[]> history(String site, int shared, int count) {
    List<LogEntry> entries = new ArrayList<>();
    entries.add(consortium.logOpened());
    for (int i = 0; i < count; i++) {
      String receiver = i < shared ? "common" : site;
      entries.add(
          TestLogs.message(
              t0.toEpochMilli() + 1 + i, "s", 0, "PullModel", "coordinator", receiver, "sent"));
    }
    return TestLogs.serialise(entries);
  }

  private CheckResult treeHeads(List<byte[]> log, List<byte[]> heads) {
    return LogAuditor.verify(
            "fork", TestLogs.frame(log), TestLogs.frame(heads), consortium.ca.certificate())
        .check("tree-heads")
        .orElseThrow();
  }

  @Test
  void headsSignedOverOneHistoryVerify() {
    List<byte[]> a = history("a", 5, 13);

    CheckResult result =
        treeHeads(
            a,
            List.of(
                consortium.head(a, 8, t0.plusSeconds(1)),
                consortium.head(a, 14, t0.plusSeconds(2))));

    assertEquals(CheckStatus.PASSED, result.status(), result.failures().toString());
  }

  @Test
  void validlySignedHeadsOfTwoDivergingHistoriesAreCaughtAsInconsistent() {
    List<byte[]> a = history("a", 5, 13);
    List<byte[]> b = history("b", 5, 13);
    List<byte[]> heads =
        List.of(
            consortium.head(a, 8, t0.plusSeconds(1)), consortium.head(b, 14, t0.plusSeconds(2)));

    for (List<byte[]> log : List.of(a, b)) {
      CheckResult result = treeHeads(log, heads);

      assertEquals(CheckStatus.FAILED, result.status());
      assertTrue(
          result.failures().stream()
              .anyMatch(
                  f ->
                      f.message().startsWith("not consistent with head 0 (tree size 8)")
                          && f.headIndex() == 1L
                          && f.treeSize() == 14L),
          result.failures().toString());
      assertTrue(
          result.failures().stream().noneMatch(f -> f.message().contains("signature")),
          "both heads carry valid signatures: " + result.failures());
    }
  }

  @Test
  void twoSignedRootsForTheSameTreeSizeAreCaught() {
    List<byte[]> a = history("a", 5, 13);
    List<byte[]> b = history("b", 5, 13);

    CheckResult result =
        treeHeads(
            a,
            List.of(
                consortium.head(a, 10, t0.plusSeconds(1)),
                consortium.head(b, 10, t0.plusSeconds(2))));

    assertTrue(
        result.failures().stream()
            .anyMatch(
                f -> f.message().contains("two different root hashes for the same tree size 10")),
        result.failures().toString());
  }

  @Test
  void forkedHistoryFailsTheCommandWithExitOne(@TempDir Path temp) {
    List<byte[]> a = history("a", 5, 13);
    List<byte[]> b = history("b", 5, 13);
    TestLogs.write(
        temp,
        TestLogs.frame(b),
        TestLogs.frame(
            List.of(
                consortium.head(a, 8, t0.plusSeconds(1)),
                consortium.head(b, 14, t0.plusSeconds(2)))));
    Path ca = TestLogs.writeCa(temp, consortium.ca.certificate());

    TestLogs.Run run = TestLogs.run("verify", "--log", temp.toString(), "--ca", ca.toString());

    assertEquals(1, run.exitCode());
    assertTrue(run.out().contains("tree-heads: not consistent with head 0"), run.out());
  }

  @Test
  void headSignedWithAnotherKeyIsRejected() {
    List<byte[]> a = history("a", 5, 13);
    TestLogs.Consortium impostor = new TestLogs.Consortium();

    CheckResult result = treeHeads(a, List.of(impostor.head(a, 14, t0.plusSeconds(1))));

    assertEquals(CheckStatus.FAILED, result.status());
    assertEquals(
        "signature does not verify with the coordinator's certificate",
        result.failures().getFirst().message());
  }
}
