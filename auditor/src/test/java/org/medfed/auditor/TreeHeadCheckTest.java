package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medfed.proto.v1.LogEntry;

class TreeHeadCheckTest {
  private final TestLogs.Consortium consortium = new TestLogs.Consortium();
  private final Instant t0 = consortium.start;

  private List<byte[]> log(int messages) {
    List<LogEntry> entries = new ArrayList<>();
    entries.add(consortium.logOpened());
    for (int i = 0; i < messages; i++) {
      entries.add(
          TestLogs.message(
              t0.toEpochMilli() + 1 + i, "s", 0, "PullModel", "coordinator", "site-" + i, "sent"));
    }
    return TestLogs.serialise(entries);
  }

  private CheckResult treeHeads(List<byte[]> log, byte[]... heads) {
    return LogAuditor.verify(
            "heads",
            TestLogs.frame(log),
            TestLogs.frame(List.of(heads)),
            consortium.ca.certificate())
        .check("tree-heads")
        .orElseThrow();
  }

  private static void assertFailure(CheckResult result, String text, long head) {
    assertEquals(CheckStatus.FAILED, result.status());
    assertTrue(
        result.failures().stream()
            .anyMatch(
                f -> f.message().contains(text) && f.headIndex() != null && f.headIndex() == head),
        "expected \"" + text + "\" at head " + head + " in " + result.failures());
  }

  @Test
  void alteredEntryIsLocatedBetweenTheLastMatchingHeadAndTheFirstThatDiffers() {
    List<byte[]> signed = log(20);
    byte[] first = consortium.head(signed, 8, t0.plusSeconds(1));
    byte[] second = consortium.head(signed, 15, t0.plusSeconds(2));
    List<byte[]> altered = new ArrayList<>(signed);
    altered.set(11, signed.get(12));
    altered.set(12, signed.get(11));

    assertFailure(treeHeads(altered, first, second), "the change lies in entries 8..14", 1);
  }

  @Test
  void headThatShrinksTheLogFails() {
    List<byte[]> log = log(20);

    assertFailure(
        treeHeads(
            log,
            consortium.head(log, 15, t0.plusSeconds(1)),
            consortium.head(log, 10, t0.plusSeconds(2))),
        "is smaller than 15 of the previous head 0",
        1);
  }

  @Test
  void headWhoseTimeGoesBackFails() {
    List<byte[]> log = log(20);

    assertFailure(
        treeHeads(
            log,
            consortium.head(log, 10, t0.plusSeconds(2)),
            consortium.head(log, 15, t0.plusSeconds(1))),
        "is before",
        1);
  }

  @Test
  void headCommittingToMoreEntriesThanTheLogHoldsFails() {
    List<byte[]> log = log(20);
    byte[] head = consortium.head(log, 21, t0.plusSeconds(1));

    assertFailure(
        treeHeads(log.subList(0, 18), head), "commits to 21 entries but the log holds only 18", 0);
  }

  @Test
  void logWithoutAnyTreeHeadFails() {
    CheckResult result = treeHeads(log(3));

    assertEquals(CheckStatus.FAILED, result.status());
    assertTrue(result.failures().getFirst().message().contains("holds no signed tree head"));
  }

  @Test
  void headsCoveringTheWholeLogGiveNoWarning() {
    List<byte[]> log = log(20);

    CheckResult result = treeHeads(log, consortium.head(log, 21, t0.plusSeconds(1)));

    assertEquals(CheckStatus.PASSED, result.status(), result.failures().toString());
    assertEquals(List.of(), result.warnings());
  }
}
