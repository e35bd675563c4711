package org.medfed.auditor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Optional;
import org.medfed.auditor.LogAuditor.AuditedEntry;

/**
 * The exchange log file and where each framed record's payload lies in it, as the sequential scan
 * found it. Lets a check read an entry again by its index instead of keeping a million decoded
 * entries for the few it may need twice.
 */
final class FramedLog implements LogFiles.RecordVisitor {
  private final byte[] file;
  // Where each payload starts in the file; its record's header is the 8 bytes before.
  private int[] froms = new int[1024];
  private int[] lengths = new int[1024];
  private int count;

  FramedLog(byte[] file) {
    this.file = file;
  }

  @Override
  public void record(long index, long offset, byte[] scanned, int from, int length) {
    if (scanned != file || offset != from - LogFiles.HEADER) {
      throw new IllegalArgumentException("a framed log records the records of its own file");
    }
    if (count == froms.length) {
      froms = Arrays.copyOf(froms, 2 * count);
      lengths = Arrays.copyOf(lengths, 2 * count);
    }
    froms[count] = from;
    lengths[count] = length;
    count++;
  }

  byte[] file() {
    return file;
  }

  /** The number of records that framed correctly and passed their CRC. */
  int count() {
    return count;
  }

  /** The byte offset of record {@code index}'s header in the file. */
  long offset(int index) {
    return froms[index] - LogFiles.HEADER;
  }

  int from(int index) {
    return froms[index];
  }

  int length(int index) {
    return lengths[index];
  }

  /**
   * Entry {@code index} decoded again, or empty if there is no such record or it is not a canonical
   * LogEntry (file-integrity reports that once). Safe to call from any thread.
   */
  Optional<AuditedEntry> read(long index) {
    if (index < 0 || index >= count) {
      return Optional.empty();
    }
    int i = (int) index;
    return new CanonicalDecoder()
        .entry(file, froms[i], lengths[i], i, offset(i), new ArrayList<>());
  }
}
