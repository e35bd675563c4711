package org.medfed.auditor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * An independent reader of the record file format of docs/exchange-log.md, shared by {@code
 * exchange.log} and {@code tree-heads.log}:
 *
 * <pre>
 * file   = "MEDFEDL1" record*
 * record = length:uint32be crc:uint32be payload   ; 1 <= length <= 1 MiB, crc = CRC-32C(payload)
 * </pre>
 *
 * <p>Unlike the coordinator, which cuts a torn tail after a crash, the auditor reports one: a log
 * handed to an auditor has been through a clean start, so anything that does not parse is damage.
 * Reading stops at the first bad record, since nothing after it can be framed reliably.
 */
final class LogFiles {
  static final String EXCHANGE_LOG = "exchange.log";
  static final String TREE_HEADS = "tree-heads.log";
  static final int MAX_RECORD = 1 << 20;
  private static final byte[] MAGIC = "MEDFEDL1".getBytes(StandardCharsets.US_ASCII);

  /** A record's header: its payload's length and CRC-32C. */
  static final int HEADER = 8;

  private static final int READ_CHUNK = 1 << 20;
  private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private LogFiles() {}

  /** One record: its index in the file, the byte offset of its header, and its payload. */
  record Record(long index, long offset, byte[] payload) {}

  /** The records that framed correctly, and the first problem if the file has one. */
  record Parsed(List<Record> records, Optional<Finding> problem, long length) {}

  /** How many records framed correctly, and the first problem if the file has one. */
  record Scanned(long records, Optional<Finding> problem, long length) {}

  /**
   * Receives each record that frames correctly and passes its CRC, in order, as a slice of the file
   * (no copy): the payload is {@code file[from, from + length)}.
   */
  interface RecordVisitor {
    void record(long index, long offset, byte[] file, int from, int length);
  }

  static Parsed parse(String fileName, byte[] file) {
    List<Record> records = new ArrayList<>();
    Scanned scanned =
        scan(
            fileName,
            file,
            (index, offset, bytes, from, length) ->
                records.add(
                    new Record(index, offset, Arrays.copyOfRange(bytes, from, from + length))));
    return new Parsed(records, scanned.problem(), scanned.length());
  }

  /** Reads the records as {@link #parse} does, handing each to {@code visitor} as it goes. */
  static Scanned scan(String fileName, byte[] file, RecordVisitor visitor) {
    long records = 0;
    if (file.length < MAGIC.length
        || !Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      return new Scanned(
          records,
          Optional.of(
              Finding.atOffset(
                  fileName + " does not start with the magic bytes MEDFEDL1", fileName, null, 0)),
          file.length);
    }
    ByteBuffer buffer = ByteBuffer.wrap(file);
    CRC32C crc = new CRC32C();
    int position = MAGIC.length;
    while (position < file.length) {
      long index = records;
      int remaining = file.length - position;
      if (remaining < HEADER) {
        return torn(
            fileName,
            records,
            index,
            position,
            file.length,
            "torn tail: "
                + remaining
                + " bytes after the last complete record, too few for a record header");
      }
      long length = Integer.toUnsignedLong(buffer.getInt(position));
      int storedCrc = buffer.getInt(position + 4);
      if (length < 1 || length > MAX_RECORD) {
        String what = zeroFrom(file, position) ? " (a zero-filled torn tail)" : "";
        return torn(
            fileName,
            records,
            index,
            position,
            file.length,
            "record "
                + index
                + " has impossible length "
                + length
                + " (allowed 1 to "
                + MAX_RECORD
                + ")"
                + what);
      }
      if (length > remaining - HEADER) {
        return torn(
            fileName,
            records,
            index,
            position,
            file.length,
            "torn tail: record "
                + index
                + " declares "
                + length
                + " payload bytes but only "
                + (remaining - HEADER)
                + " follow its header");
      }
      crc.reset();
      crc.update(file, position + HEADER, (int) length);
      int computed = (int) crc.getValue();
      if (computed != storedCrc) {
        return torn(
            fileName,
            records,
            index,
            position,
            file.length,
            String.format(
                "record %d fails its CRC-32C check (stored %08x, computed %08x)",
                index, storedCrc, computed));
      }
      visitor.record(index, position, file, position + HEADER, (int) length);
      records++;
      position += HEADER + (int) length;
    }
    return new Scanned(records, Optional.empty(), file.length);
  }

  /** How many bytes from the start of a file always hold its first record, if it has one. */
  static final int FIRST_RECORD_PREFIX = MAGIC.length + HEADER + MAX_RECORD;

  /** The first {@link #FIRST_RECORD_PREFIX} bytes of {@code file} (all of a shorter file). */
  static byte[] readPrefix(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(FIRST_RECORD_PREFIX);
    }
  }

  /**
   * All of {@code file}, to its end when read (a coordinator may still be appending).
   *
   * <p>Read a chunk at a time: {@link Files#readAllBytes} reads a file in one call, for which the
   * JDK stages all of it in a native buffer of the same size first, which for a large log costs
   * more than the read itself.
   *
   * @throws IOException if it cannot be read, or holds more than an array can
   */
  static byte[] readAll(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file)) {
      long size = channel.size();
      if (size > MAX_ARRAY) {
        throw new IOException(file + " holds " + size + " bytes, more than the auditor can read");
      }
      byte[] bytes = new byte[(int) size];
      int read = 0;
      while (true) {
        if (read == bytes.length) {
          if (channel.position() >= channel.size()) {
            return bytes;
          }
          // It grew while being read.
          if (bytes.length == MAX_ARRAY) {
            throw new IOException(file + " grew beyond what the auditor can read");
          }
          bytes = Arrays.copyOf(bytes, (int) Math.min(MAX_ARRAY, 2L * bytes.length + READ_CHUNK));
        }
        int n =
            channel.read(ByteBuffer.wrap(bytes, read, Math.min(READ_CHUNK, bytes.length - read)));
        if (n < 0) {
          return read == bytes.length ? bytes : Arrays.copyOf(bytes, read);
        }
        read += n;
      }
    }
  }

  /**
   * The first record of a file, from its first bytes ({@link #readPrefix}, or the whole file), if
   * it frames and passes its CRC.
   */
  static Optional<Record> firstRecord(byte[] file) {
    byte[] prefix = Arrays.copyOf(file, Math.min(file.length, FIRST_RECORD_PREFIX));
    List<Record> first = new ArrayList<>(1);
    scan(
        "",
        prefix,
        (index, offset, bytes, from, length) -> {
          if (index == 0) {
            first.add(new Record(index, offset, Arrays.copyOfRange(bytes, from, from + length)));
          }
        });
    return first.stream().findFirst();
  }

  /** The most records a file of {@code length} bytes can hold (each has at least 9 bytes). */
  static long maxRecords(long length) {
    return Math.max(0, length - MAGIC.length) / (HEADER + 1);
  }

  /** Frames one payload as a record: the inverse of {@link #parse} for one record. */
  static byte[] frame(byte[] payload) {
    return ByteBuffer.allocate(HEADER + payload.length)
        .putInt(payload.length)
        .putInt(crc32c(payload))
        .put(payload)
        .array();
  }

  static byte[] magic() {
    return MAGIC.clone();
  }

  static int crc32c(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }

  private static Scanned torn(
      String fileName, long records, long index, int position, int length, String what) {
    return new Scanned(
        records, Optional.of(Finding.atOffset(what, fileName, index, position)), length);
  }

  private static boolean zeroFrom(byte[] file, int position) {
    for (int i = position; i < file.length; i++) {
      if (file[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
