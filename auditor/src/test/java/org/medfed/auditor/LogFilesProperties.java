package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class LogFilesProperties {

  @Property(tries = 200)
  void framedPayloadsReadBackExactlyWithTheirOffsets(
      @ForAll @Size(max = 20) List<@Size(min = 1, max = 300) byte[]> payloads) {
    LogFiles.Parsed parsed = LogFiles.parse(LogFiles.EXCHANGE_LOG, TestLogs.frame(payloads));

    assertTrue(parsed.problem().isEmpty());
    assertEquals(payloads.size(), parsed.records().size());
    long offset = 8;
    for (int i = 0; i < payloads.size(); i++) {
      assertArrayEquals(payloads.get(i), parsed.records().get(i).payload());
      assertEquals(offset, parsed.records().get(i).offset());
      offset += 8 + payloads.get(i).length;
    }
  }

  @Property(tries = 200)
  void anyCutInsideTheLastRecordIsReportedAtThatRecordsOffset(
      @ForAll @Size(min = 1, max = 10) List<@Size(min = 1, max = 100) byte[]> payloads,
      @ForAll @IntRange(min = 1, max = 107) int cut) {
    byte[] file = TestLogs.frame(payloads);
    int lastRecord = file.length - 8 - payloads.getLast().length;
    int keep = Math.max(lastRecord, file.length - cut);

    LogFiles.Parsed parsed = LogFiles.parse(LogFiles.EXCHANGE_LOG, Arrays.copyOf(file, keep));

    if (keep == lastRecord) {
      assertTrue(parsed.problem().isEmpty());
    } else {
      assertEquals((long) lastRecord, parsed.problem().orElseThrow().byteOffset());
      assertEquals(payloads.size() - 1L, parsed.problem().orElseThrow().entryIndex());
    }
    assertEquals(payloads.size() - 1, parsed.records().size());
  }

  @Property(tries = 30)
  void readAllReturnsEveryByteOfTheFileWhateverItsSizeAgainstTheReadChunk(
      @ForAll @IntRange(min = -3, max = 3) int aroundAChunk,
      @ForAll @IntRange(min = 0, max = 3) int chunks,
      @ForAll long seed)
      throws Exception {
    byte[] content = new byte[Math.max(0, chunks * (1 << 20) + aroundAChunk)];
    new Random(seed).nextBytes(content);
    Path file = Files.createTempFile("medfed-log", ".bin");
    try {
      Files.write(file, content);

      assertArrayEquals(content, LogFiles.readAll(file));
    } finally {
      Files.delete(file);
    }
  }
}
