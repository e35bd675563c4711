package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.UnknownFieldSet;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medfed.proto.log.DeterministicEncoding;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.LogEntry;

/** The independent reader of the record format reports damage with its record and byte offset. */
class FileIntegrityTest {
  private final byte[] log = TestLogs.read(TestLogs.fixture().resolve("exchange.log"));
  private final byte[] heads = TestLogs.read(TestLogs.fixture().resolve("tree-heads.log"));
  private final List<LogFiles.Record> records = TestLogs.records(log);

  /** The last record of the demo exchange.log: its index and the byte offset of its header. */
  private final LogFiles.Record last = records.getLast();

  private final int lastOffset = Math.toIntExact(last.offset());

  private CheckResult integrity(byte[] exchangeLog, byte[] treeHeads) {
    return LogAuditor.verify("test", exchangeLog, treeHeads, TestLogs.fixtureCa())
        .check("file-integrity")
        .orElseThrow();
  }

  private static Finding onlyFailure(CheckResult result) {
    assertEquals(CheckStatus.FAILED, result.status());
    assertEquals(1, result.failures().size(), result.failures().toString());
    return result.failures().getFirst();
  }

  @Test
  void tornTailIsAFailureAtTheOffsetOfTheTornRecord() {
    Finding failure = onlyFailure(integrity(Arrays.copyOf(log, log.length - 5), heads));

    assertTrue(
        failure.message().startsWith("torn tail: record " + last.index() + " declares"),
        failure.message());
    assertEquals(last.index(), failure.entryIndex());
    assertEquals(last.offset(), failure.byteOffset());
  }

  @Test
  void tornRecordHeaderIsAFailureAtItsOffset() {
    Finding failure = onlyFailure(integrity(Arrays.copyOf(log, lastOffset + 3), heads));

    assertTrue(failure.message().contains("too few for a record header"), failure.message());
    assertEquals(last.offset(), failure.byteOffset());
  }

  @Test
  void zeroFilledTailIsAFailureAtItsOffset() {
    Finding failure = onlyFailure(integrity(Arrays.copyOf(log, log.length + 4096), heads));

    assertTrue(failure.message().contains("zero-filled torn tail"), failure.message());
    assertEquals((long) records.size(), failure.entryIndex());
    assertEquals((long) log.length, failure.byteOffset());
  }

  @Test
  void payloadByteFlipFailsTheCrcOfItsRecord() {
    byte[] damaged = log.clone();
    // A byte of the last record's payload, which starts after its 8-byte header.
    damaged[lastOffset + 8 + last.payload().length / 2] ^= 0x40;

    Finding failure = onlyFailure(integrity(damaged, heads));

    assertTrue(
        failure.message().startsWith("record " + last.index() + " fails its CRC-32C check"),
        failure.message());
    assertEquals(last.index(), failure.entryIndex());
    assertEquals(last.offset(), failure.byteOffset());
  }

  @Test
  void wrongMagicIsAFailureAtByteZero() {
    byte[] damaged = log.clone();
    damaged[7] = '2';

    Finding failure = onlyFailure(integrity(damaged, heads));

    assertTrue(
        failure.message().contains("does not start with the magic bytes"), failure.message());
    assertEquals(0L, failure.byteOffset());
  }

  @Test
  void reframedPayloadThatIsNotALogEntryFails() {
    List<byte[]> entries = new java.util.ArrayList<>(TestLogs.payloads(log));
    entries.set(5, new byte[] {(byte) 0xff, (byte) 0xff, 0x01});

    Finding failure = onlyFailure(integrity(TestLogs.frame(entries), heads));

    assertTrue(failure.message().startsWith("record 5 is not a LogEntry"), failure.message());
    assertEquals(5L, failure.entryIndex());
  }

  @Test
  void reframedPayloadWithAnUnknownFieldIsNotCanonical() {
    List<byte[]> entries = new java.util.ArrayList<>(TestLogs.payloads(log));
    byte[] extended = Arrays.copyOf(entries.get(5), entries.get(5).length + 2);
    extended[extended.length - 2] = (byte) (99 << 3); // field 99, varint
    extended[extended.length - 1] = 1;
    entries.set(5, extended);

    Finding failure = onlyFailure(integrity(TestLogs.frame(entries), heads));

    assertTrue(failure.message().contains("not in the canonical"), failure.message());
  }

  @Test
  void unknownFieldInsideANestedMessageIsNotCanonical() {
    // Re-encoding keeps unknown fields, so only the schema walk can tell this from the original.
    assertNotCanonical(
        UnknownFieldSet.Field.newBuilder().addVarint(1).build(), 99, "an unknown field number");
  }

  @Test
  void knownFieldNumberWithAnotherWireTypeIsNotCanonical() {
    // Field 1 of ExchangedMessage is a string; as a fixed32 the parser keeps it as unknown.
    assertNotCanonical(
        UnknownFieldSet.Field.newBuilder().addFixed32(7).build(), 1, "a mistyped known field");
  }

  /** Entry 5 rebuilt with {@code field} hidden inside its first nested message. */
  private void assertNotCanonical(UnknownFieldSet.Field field, int number, String what) {
    List<byte[]> entries = new java.util.ArrayList<>(TestLogs.payloads(log));
    int index =
        java.util.stream.IntStream.range(1, entries.size())
            .filter(i -> TestLogs.parseEntry(entries.get(i)).hasMessage())
            .findFirst()
            .orElseThrow();
    LogEntry entry = TestLogs.parseEntry(entries.get(index));
    ExchangedMessage hiding =
        entry.getMessage().toBuilder()
            .setUnknownFields(UnknownFieldSet.newBuilder().addField(number, field).build())
            .build();
    entries.set(index, DeterministicEncoding.of(entry.toBuilder().setMessage(hiding).build()));

    Finding failure = onlyFailure(integrity(TestLogs.frame(entries), heads));

    assertTrue(failure.message().contains("not in the canonical"), what + ": " + failure.message());
    assertEquals((long) index, failure.entryIndex());
  }

  @Test
  void tornTreeHeadFileIsReportedInTreeHeadsLog() {
    Finding failure = onlyFailure(integrity(log, Arrays.copyOf(heads, heads.length - 1)));

    assertEquals("tree-heads.log", failure.file());
    List<LogFiles.Record> headRecords = TestLogs.records(heads);
    assertEquals(headRecords.getLast().index(), failure.headIndex());
    assertEquals(headRecords.getLast().offset(), failure.byteOffset());
  }
}
