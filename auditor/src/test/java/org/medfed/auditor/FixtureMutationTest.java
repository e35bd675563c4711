package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.proto.log.DeterministicEncoding;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.SignedTreeHead;

/**
 * A thousand random mutations of the real demo log, each applied to a fresh copy and audited
 * through the command line: every one must end in exit status 1.
 *
 * <p>The coordinator signs a final tree head at shutdown, so the latest head of the demo log covers
 * every entry and a mutation may fall anywhere in it. The one change nothing signed can catch is an
 * entry appended after the latest head (the auditor reports it as a warning), so insertions go
 * before an existing entry, never at the end. {@link
 * #changesConfinedToAnUnsignedTailAreReportedOnlyAsAWarning} pins that limit down on a copy of the
 * demo log with entries appended.
 */
class FixtureMutationTest {
  private static final long SEED = 20261122L;
  private static final int MUTATIONS = 1000;

  enum Kind {
    FLIP_LOG_BYTE,
    FLIP_TREE_HEAD_BYTE,
    DROP_ENTRY,
    DUPLICATE_ENTRY,
    SWAP_ENTRIES,
    TRUNCATE_AT_A_BYTE,
    TRUNCATE_WHOLE_ENTRIES,
    SWAP_HEAD_SIGNATURE,
    SPLICE_ENTRY_FROM_ANOTHER_RUN,
    MOVE_ENTRY_TO_WRONG_POSITION
  }

  private record Mutant(Kind kind, String description, byte[] log, byte[] heads) {}

  private final byte[] log = TestLogs.read(TestLogs.fixture().resolve("exchange.log"));
  private final byte[] heads = TestLogs.read(TestLogs.fixture().resolve("tree-heads.log"));
  private final List<byte[]> entries = TestLogs.payloads(log);
  private final List<byte[]> headRecords = TestLogs.payloads(heads);

  @Test
  void theDemoLogsLatestTreeHeadCoversEveryEntry() {
    // The mutations below rely on it: with an unsigned tail, some of them could not be caught.
    assertEquals(entries.size(), TestLogs.latestTreeSize(heads));
  }

  @Test
  void everyOneOfAThousandRandomMutationsOfTheDemoLogFailsTheAudit(@TempDir Path temp) {
    Path ca = TestLogs.fixture().resolve("ca.crt.pem");
    Random random = new Random(SEED);
    Map<Kind, Integer> applied = new EnumMap<>(Kind.class);
    Map<Kind, Integer> caught = new EnumMap<>(Kind.class);
    Map<Kind, Map<String, Integer>> caughtBy = new EnumMap<>(Kind.class);
    List<String> missed = new ArrayList<>();
    for (int i = 0; i < MUTATIONS; i++) {
      Kind kind = Kind.values()[i % Kind.values().length];
      Mutant mutant = mutate(kind, random);
      assertFalse(
          Arrays.equals(mutant.log(), log) && Arrays.equals(mutant.heads(), heads),
          "mutation " + i + " changed nothing: " + mutant.description());
      Path directory = temp.resolve(String.format("mutant-%04d", i));
      TestLogs.write(directory, mutant.log(), mutant.heads());
      applied.merge(kind, 1, Integer::sum);
      int code = TestLogs.quietRun("verify", "--log", directory.toString(), "--ca", ca.toString());
      if (code == AuditMain.FAILED) {
        caught.merge(kind, 1, Integer::sum);
        AuditReport report =
            LogAuditor.verify("mutant", mutant.log(), mutant.heads(), TestLogs.fixtureCa());
        report.checks().stream()
            .filter(c -> c.status() == CheckStatus.FAILED)
            .forEach(
                c ->
                    caughtBy
                        .computeIfAbsent(kind, k -> new TreeMap<>())
                        .merge(c.name(), 1, Integer::sum));
      } else {
        missed.add("#" + i + " " + kind + " (exit " + code + "): " + mutant.description());
      }
    }
    StringBuilder table = new StringBuilder("mutations of the demo log (seed " + SEED + "):\n");
    for (Kind kind : Kind.values()) {
      table.append(
          String.format(
              "  %-30s %4d applied, %4d caught; failed checks: %s%n",
              kind,
              applied.getOrDefault(kind, 0),
              caught.getOrDefault(kind, 0),
              caughtBy.getOrDefault(kind, Map.of())));
    }
    System.out.print(table);
    assertEquals(List.of(), missed, table.toString());
    assertEquals(MUTATIONS, applied.values().stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void changesConfinedToAnUnsignedTailAreReportedOnlyAsAWarning() {
    // The demo log as a running coordinator would leave it: two entries after the latest head.
    List<byte[]> extended = TestLogs.withUnsignedTail(entries, 2);
    int last = extended.size() - 1;
    List<byte[]> swapped = swap(extended, last - 1, last);
    assertFalse(Arrays.equals(extended.get(last - 1), extended.get(last)));

    AuditReport report =
        LogAuditor.verify("tail", TestLogs.frame(swapped), heads, TestLogs.fixtureCa());

    assertTrue(report.passed(), report.toText());
    CheckResult treeHeads = report.check("tree-heads").orElseThrow();
    assertEquals(1, treeHeads.warnings().size());
    assertTrue(treeHeads.warnings().getFirst().message().contains("not covered by any signature"));

    // The same swap one entry earlier reaches into what the latest head signed, and fails.
    AuditReport reaching =
        LogAuditor.verify(
            "signed", TestLogs.frame(swap(extended, last - 2, last)), heads, TestLogs.fixtureCa());
    assertEquals(
        CheckStatus.FAILED, reaching.check("tree-heads").orElseThrow().status(), reaching.toText());
  }

  private static List<byte[]> swap(List<byte[]> entries, int a, int b) {
    List<byte[]> copy = new ArrayList<>(entries);
    copy.set(a, entries.get(b));
    copy.set(b, entries.get(a));
    return copy;
  }

  private Mutant mutate(Kind kind, Random random) {
    return switch (kind) {
      case FLIP_LOG_BYTE -> {
        byte[] copy = log.clone();
        int at = random.nextInt(copy.length);
        int mask = 1 + random.nextInt(255);
        copy[at] ^= (byte) mask;
        yield new Mutant(kind, "exchange.log byte " + at + " ^= " + mask, copy, heads);
      }
      case FLIP_TREE_HEAD_BYTE -> {
        byte[] copy = heads.clone();
        int at = random.nextInt(copy.length);
        int mask = 1 + random.nextInt(255);
        copy[at] ^= (byte) mask;
        yield new Mutant(kind, "tree-heads.log byte " + at + " ^= " + mask, log, copy);
      }
      case DROP_ENTRY -> {
        int at = random.nextInt(entries.size());
        List<byte[]> copy = new ArrayList<>(entries);
        copy.remove(at);
        yield structural(kind, "drop entry " + at, copy);
      }
      case DUPLICATE_ENTRY -> {
        int from = random.nextInt(entries.size());
        int to = random.nextInt(entries.size()); // before an entry: appending cannot be caught
        List<byte[]> copy = new ArrayList<>(entries);
        copy.add(to, entries.get(from));
        yield structural(kind, "copy entry " + from + " to position " + to, copy);
      }
      case SWAP_ENTRIES -> {
        int a = random.nextInt(entries.size() - 1);
        int b = a + 1 + random.nextInt(entries.size() - a - 1);
        yield structural(kind, "swap entries " + a + " and " + b, swap(entries, a, b));
      }
      case TRUNCATE_WHOLE_ENTRIES -> {
        int keep = random.nextInt(entries.size());
        yield structural(
            kind, "keep the first " + keep + " entries", new ArrayList<>(entries.subList(0, keep)));
      }
      case TRUNCATE_AT_A_BYTE -> {
        // Anywhere from inside the magic to the last byte of the last record.
        int cut = random.nextInt(log.length);
        yield new Mutant(
            kind, "cut exchange.log to " + cut + " bytes", Arrays.copyOf(log, cut), heads);
      }
      case SWAP_HEAD_SIGNATURE -> {
        int a = random.nextInt(headRecords.size());
        int b = (a + 1 + random.nextInt(headRecords.size() - 1)) % headRecords.size();
        List<byte[]> copy = new ArrayList<>(headRecords);
        copy.set(
            a,
            parseHead(headRecords.get(a)).toBuilder()
                .setSignature(parseHead(headRecords.get(b)).getSignature())
                .build()
                .toByteArray());
        yield new Mutant(
            kind, "head " + a + " carries head " + b + "'s signature", log, TestLogs.frame(copy));
      }
      case SPLICE_ENTRY_FROM_ANOTHER_RUN -> {
        // Another run of the same study: the same entry, made at another time.
        int from = random.nextInt(entries.size());
        LogEntry original = TestLogs.parseEntry(entries.get(from));
        long shift = (1 + random.nextInt(1_000_000)) * (random.nextBoolean() ? 1L : -1L);
        byte[] foreign =
            DeterministicEncoding.of(
                original.toBuilder()
                    .setTimeUnixMillis(original.getTimeUnixMillis() + shift)
                    .build());
        int to = random.nextInt(entries.size());
        List<byte[]> copy = new ArrayList<>(entries);
        boolean replace = random.nextBoolean();
        if (replace) {
          copy.set(to, foreign);
        } else {
          copy.add(to, foreign);
        }
        yield structural(
            kind,
            (replace ? "replace entry " + to : "insert at " + to)
                + " entry "
                + from
                + " of another run (time shifted by "
                + shift
                + " ms)",
            copy);
      }
      case MOVE_ENTRY_TO_WRONG_POSITION -> {
        int from;
        int to;
        do {
          from = random.nextInt(entries.size());
          to = random.nextInt(entries.size());
        } while (to == from || Arrays.equals(entries.get(from), entries.get(to)));
        List<byte[]> copy = new ArrayList<>(entries);
        byte[] moved = copy.remove(from);
        copy.add(to, moved);
        yield structural(kind, "move entry " + from + " to position " + to, copy);
      }
    };
  }

  /**
   * Re-frames the entries with correct lengths and CRCs, so only the audit logic can tell; checks
   * that the mutation changed a signed entry rather than only appending to the log.
   */
  private Mutant structural(Kind kind, String description, List<byte[]> mutated) {
    boolean signedChanged = false;
    for (int i = 0; i < entries.size(); i++) {
      if (i >= mutated.size() || !Arrays.equals(mutated.get(i), entries.get(i))) {
        signedChanged = true;
        break;
      }
    }
    assertTrue(signedChanged, kind + " left the signed entries unchanged: " + description);
    return new Mutant(kind, description, TestLogs.frame(mutated), heads);
  }

  private static SignedTreeHead parseHead(byte[] payload) {
    try {
      return SignedTreeHead.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
