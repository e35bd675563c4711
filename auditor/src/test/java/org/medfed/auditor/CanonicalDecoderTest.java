package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medfed.auditor.LogAuditor.AuditedEntry;
import org.medfed.proto.log.DeterministicEncoding;
import org.medfed.proto.v1.LogEntry;

class CanonicalDecoderTest {
  private static final byte[] SIGNATURE = new byte[71];

  static {
    Arrays.fill(SIGNATURE, (byte) 0x5a);
  }

  private final LogEntry entry =
      signed(TestLogs.message(1_000, "heart", 1, "PushUpdate", "a", "coordinator", "accepted"));

  private static LogEntry signed(LogEntry plain) {
    return plain.toBuilder()
        .setMessage(
            plain.getMessage().toBuilder().setSenderSignature(ByteString.copyFrom(SIGNATURE)))
        .build();
  }

  @Test
  void decodesTheRecordBetweenOtherBytes() {
    byte[] record = DeterministicEncoding.of(entry);
    byte[] file = new byte[record.length + 20];
    System.arraycopy(record, 0, file, 7, record.length);
    List<Finding> failures = new ArrayList<>();

    AuditedEntry decoded =
        new CanonicalDecoder().entry(file, 7, record.length, 3, 120, failures).orElseThrow();

    assertEquals(entry, decoded.entry());
    assertEquals(3, decoded.index());
    assertEquals(120, decoded.offset());
    assertTrue(failures.isEmpty(), failures.toString());
  }

  @Test
  void bytesFieldsAliasTheFileRatherThanCopyingIt() {
    // A million entries' digests and signatures would otherwise each be copied out of a file the
    // auditor holds anyway.
    byte[] file = DeterministicEncoding.of(entry);
    LogEntry decoded =
        new CanonicalDecoder()
            .entry(file, 0, file.length, 0, 0, new ArrayList<>())
            .orElseThrow()
            .entry();
    int at = indexOf(file, SIGNATURE);

    file[at] = 0x11;

    assertEquals(0x11, decoded.getMessage().getSenderSignature().byteAt(0));
  }

  private static int indexOf(byte[] file, byte[] part) {
    for (int i = 0; i + part.length <= file.length; i++) {
      if (Arrays.equals(file, i, i + part.length, part, 0, part.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }
}
