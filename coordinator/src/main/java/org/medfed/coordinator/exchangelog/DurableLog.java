package org.medfed.coordinator.exchangelog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * An append-only file of records that are on disk before {@link #append} returns.
 *
 * <p>Format: the 8-byte magic {@code MEDFEDL1}, then records of a big-endian int32 length, a
 * big-endian int32 CRC-32C of the payload, and the payload. A crash can only tear the last record:
 * opening the file cuts such a tail (and says how many bytes it cut), while a bad record followed
 * by good ones is corruption, which stops the coordinator rather than silently dropping history.
 *
 * <p>Durability is batched by group commit: concurrent appenders write, then one of them fsyncs for
 * all records written so far while the others wait, so throughput grows with concurrency instead of
 * being capped by one fsync per record.
 *
 * <p>An appender may be interrupted (a shutdown, a cancelled call) without harming the log: the
 * file is an {@link UninterruptibleFile}, which an interrupt cannot close for the other threads.
 */
public final class DurableLog implements AutoCloseable {
  private static final byte[] MAGIC = "MEDFEDL1".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER = 8;

  /** Far above any entry MedFed writes; a larger length field means a torn or corrupt record. */
  static final int MAX_RECORD = 1 << 20;

  private final Path file;
  private final UninterruptibleFile disk;
  private final List<Long> offsets;
  private final long cutBytes;
  private final Object writeLock = new Object();
  private final ReentrantLock syncLock = new ReentrantLock();
  private final Condition synced = syncLock.newCondition();
  // Where the next record goes: the end of the last good record.
  private long end;
  private volatile long written;
  private long durable;
  private boolean syncing;

  private DurableLog(
      Path file, UninterruptibleFile disk, List<Long> offsets, long end, long cutBytes) {
    this.file = file;
    this.disk = disk;
    this.offsets = offsets;
    this.end = end;
    this.cutBytes = cutBytes;
    this.written = offsets.size();
    this.durable = offsets.size();
  }

  /** Opens (or creates) the log, cutting a torn tail left by a crash. */
  public static DurableLog open(Path file) throws IOException {
    UninterruptibleFile disk = UninterruptibleFile.open(file);
    try {
      if (disk.size() == 0) {
        disk.write(ByteBuffer.wrap(MAGIC), 0);
        disk.force(true);
      }
      ByteBuffer magic = ByteBuffer.allocate(MAGIC.length);
      disk.read(magic, 0);
      if (!Arrays.equals(magic.array(), MAGIC)) {
        throw new IOException(file + " is not a MedFed exchange log (wrong magic bytes)");
      }
      List<Long> offsets = new ArrayList<>();
      long end = scan(file, disk, offsets);
      long cut = disk.size() - end;
      if (cut > 0) {
        disk.truncate(end);
        disk.force(true);
      }
      return new DurableLog(file, disk, offsets, end, cut);
    } catch (IOException | RuntimeException e) {
      disk.close();
      throw e;
    }
  }

  /**
   * Reads every good record, returning where the good part of the file ends. A torn append leaves a
   * prefix of the correct bytes (an incomplete header or payload), possibly followed by zeros that
   * the file system allocated; only that may be cut.
   */
  private static long scan(Path file, UninterruptibleFile disk, List<Long> offsets)
      throws IOException {
    long size = disk.size();
    long position = MAGIC.length;
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    while (position < size) {
      if (size - position < HEADER) {
        return position;
      }
      header.clear();
      disk.read(header, position);
      header.flip();
      int length = header.getInt();
      int crc = header.getInt();
      // Records are never empty, so a zero-filled tail never parses as one.
      if (length < 1 || length > MAX_RECORD) {
        return tailOrCorrupt(file, disk, position, position, offsets.size());
      }
      long next = position + HEADER + length;
      if (next > size) {
        return position;
      }
      ByteBuffer payload = ByteBuffer.allocate(length);
      disk.read(payload, position + HEADER);
      if (crc(payload.array()) != crc) {
        return tailOrCorrupt(file, disk, position, next, offsets.size());
      }
      offsets.add(position);
      position = next;
    }
    return position;
  }

  private static long tailOrCorrupt(
      Path file, UninterruptibleFile disk, long position, long checkFrom, int index)
      throws IOException {
    if (zeroFrom(disk, checkFrom)) {
      return position;
    }
    throw new IOException(
        "exchange log "
            + file
            + " is corrupt at record "
            + index
            + " (byte "
            + position
            + ") with data after it; refusing to start: restore the file or move it aside");
  }

  /** True when every byte from the position to the end of the file is zero. */
  private static boolean zeroFrom(UninterruptibleFile disk, long position) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    long at = position;
    while (at < disk.size()) {
      buffer.clear();
      int read = disk.read(buffer, at);
      for (int i = 0; i < read; i++) {
        if (buffer.get(i) != 0) {
          return false;
        }
      }
      at += read;
    }
    return true;
  }

  /** Appends a record and returns its index once it is on disk. */
  public long append(byte[] record) throws IOException {
    if (record.length < 1 || record.length > MAX_RECORD) {
      throw new IllegalArgumentException(
          "a log record has 1 to " + MAX_RECORD + " bytes, got " + record.length);
    }
    long index;
    synchronized (writeLock) {
      ByteBuffer frame = ByteBuffer.allocate(HEADER + record.length);
      frame.putInt(record.length).putInt(crc(record)).put(record).flip();
      long position = end;
      disk.write(frame, position);
      end = position + frame.limit();
      offsets.add(position);
      index = offsets.size() - 1;
      written = index + 1;
    }
    awaitDurable(index + 1);
    return index;
  }

  private void awaitDurable(long needed) throws IOException {
    syncLock.lock();
    try {
      while (durable < needed) {
        if (syncing) {
          synced.awaitUninterruptibly();
          continue;
        }
        syncing = true;
        long target = written;
        syncLock.unlock();
        try {
          disk.force(false);
        } finally {
          syncLock.lock();
          syncing = false;
        }
        durable = Math.max(durable, target);
        synced.signalAll();
      }
    } finally {
      syncLock.unlock();
    }
  }

  /** The number of records. */
  public long size() {
    synchronized (writeLock) {
      return offsets.size();
    }
  }

  /** Bytes cut from a torn tail when the log was opened (0 after a clean shutdown). */
  public long cutBytes() {
    return cutBytes;
  }

  /** Records [from, to). */
  public List<byte[]> read(long from, long to) throws IOException {
    List<Long> positions;
    synchronized (writeLock) {
      if (from < 0 || to > offsets.size() || from > to) {
        throw new IndexOutOfBoundsException(
            "records [" + from + ", " + to + ") of a log of " + offsets.size());
      }
      positions = List.copyOf(offsets.subList((int) from, (int) to));
    }
    List<byte[]> records = new ArrayList<>(positions.size());
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    for (long position : positions) {
      header.clear();
      disk.read(header, position);
      header.flip();
      ByteBuffer payload = ByteBuffer.allocate(header.getInt());
      disk.read(payload, position + HEADER);
      records.add(payload.array());
    }
    return records;
  }

  public Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    synchronized (writeLock) {
      disk.force(true);
      disk.close();
    }
  }

  private static int crc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }
}
