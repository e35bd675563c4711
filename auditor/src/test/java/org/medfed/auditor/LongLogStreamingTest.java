package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medfed.proto.log.DeterministicEncoding;
import org.medfed.proto.v1.LogEntry;

/**
 * A log many read-ahead slices long goes through the checks entry by entry, in order, with every
 * index and offset right: the demo log alone fits in one slice, so its tail is extended here by
 * copies of a message the coordinator sent, as a running coordinator may append before its next
 * tree head.
 */
class LongLogStreamingTest {
  private static final int TAIL = 30_000;

  private final byte[] heads = TestLogs.read(TestLogs.fixture().resolve("tree-heads.log"));
  private final List<byte[]> signed =
      TestLogs.payloads(TestLogs.read(TestLogs.fixture().resolve("exchange.log")));

  /** The demo log followed by {@link #TAIL} copies of its last sent message, a second apart. */
  private List<byte[]> extended() {
    List<byte[]> entries = new ArrayList<>(signed);
    LogEntry sent =
        signed.reversed().stream()
            .map(TestLogs::parseEntry)
            .filter(e -> e.hasMessage() && e.getMessage().getOutcome().equals("sent"))
            .findFirst()
            .orElseThrow();
    long time = TestLogs.parseEntry(signed.getLast()).getTimeUnixMillis();
    for (int i = 0; i < TAIL; i++) {
      time += 1000;
      entries.add(DeterministicEncoding.of(sent.toBuilder().setTimeUnixMillis(time).build()));
    }
    return entries;
  }

  @Test
  void aLogOfManySlicesIsCheckedEntryByEntryInOrder() {
    long messages = signed.stream().map(TestLogs::parseEntry).filter(LogEntry::hasMessage).count();

    AuditReport report =
        LogAuditor.verify("long", TestLogs.frame(extended()), heads, TestLogs.fixtureCa());

    assertTrue(report.passed(), report.toText());
    assertEquals(signed.size() + TAIL, report.entries());
    CheckResult protocol = report.check("protocol").orElseThrow();
    assertTrue(protocol.summary().contains((messages + TAIL) + " messages"), protocol.summary());
    Finding unsigned = report.check("tree-heads").orElseThrow().warnings().getFirst();
    assertTrue(unsigned.message().startsWith(TAIL + " entries ("), unsigned.message());
    assertEquals((long) signed.size(), unsigned.entryIndex());
  }

  @Test
  void slicesArriveInLogOrderWithEachRecordsLeafHash() throws Exception {
    List<byte[]> entries = extended();
    byte[] file = TestLogs.frame(entries);
    FramedLog log = new FramedLog(file);
    LogFiles.scan(LogFiles.EXCHANGE_LOG, file, log);
    List<Long> indices = new ArrayList<>();
    List<byte[]> leafHashes = new ArrayList<>();

    try (EntryStream stream = EntryStream.start(log)) {
      stream.forEach(
          slice -> {
            slice.entries().forEach(entry -> indices.add(entry.index()));
            for (int i = 0; i < slice.records(); i++) {
              leafHashes.add(java.util.Arrays.copyOfRange(slice.leafHashes(), i * 32, i * 32 + 32));
            }
          });
    }

    assertEquals(java.util.stream.LongStream.range(0, entries.size()).boxed().toList(), indices);
    java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
    for (int i = 0; i < entries.size(); i += 997) {
      sha256.update((byte) 0);
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          sha256.digest(entries.get(i)), leafHashes.get(i), "leaf " + i);
    }
  }

  @Test
  void aBadRecordFarIntoTheLogIsReportedAtItsIndexAndOffset() {
    List<byte[]> entries = extended();
    int bad = signed.size() + 21_000;
    entries.set(bad, new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
    byte[] log = TestLogs.frame(entries);

    CheckResult integrity =
        LogAuditor.verify("long", log, heads, TestLogs.fixtureCa())
            .check("file-integrity")
            .orElseThrow();

    assertEquals(1, integrity.failures().size(), integrity.failures().toString());
    Finding failure = integrity.failures().getFirst();
    assertEquals((long) bad, failure.entryIndex());
    assertEquals(TestLogs.records(log).get(bad).offset(), failure.byteOffset());
  }
}
