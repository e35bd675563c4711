package org.medfed.coordinator.exchangelog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file for positional reads, writes and fsync that an interrupted thread cannot close for the
 * others.
 *
 * <p>A {@link FileChannel} is an interruptible channel: when a thread is interrupted during an
 * operation on it, the JDK closes the channel for every thread. The exchange log is written by many
 * threads (gRPC handlers, the study thread) that a shutdown or a cancelled call may interrupt, and
 * a closed log would refuse every later entry. Here each operation runs with the caller's interrupt
 * status cleared (and restored afterwards); if the channel was closed under it anyway (by another
 * thread's interrupt), the file is reopened and the operation repeated. Every write is positional,
 * so repeating one writes the same bytes to the same place, and an fsync through the new channel
 * covers what was written through the old one, since it is the same file.
 */
final class UninterruptibleFile implements AutoCloseable {
  private final Path file;
  private final Object reopening = new Object();
  private volatile FileChannel channel;
  private volatile boolean closed;

  private UninterruptibleFile(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** Opens {@code file} for reading and writing, creating it if it does not exist. */
  static UninterruptibleFile open(Path file) throws IOException {
    return new UninterruptibleFile(file, openChannel(file));
  }

  long size() throws IOException {
    return repeated(FileChannel::size);
  }

  void truncate(long size) throws IOException {
    repeated(c -> c.truncate(size));
  }

  /** Flushes written data (and metadata too if asked) to the device. */
  void force(boolean metadata) throws IOException {
    repeated(
        c -> {
          c.force(metadata);
          return null;
        });
  }

  /** Writes all of {@code buffer} at {@code position}. */
  void write(ByteBuffer buffer, long position) throws IOException {
    int start = buffer.position();
    repeated(
        c -> {
          buffer.position(start);
          long at = position;
          while (buffer.hasRemaining()) {
            at += c.write(buffer, at);
          }
          return null;
        });
  }

  /**
   * Reads from {@code position} until {@code buffer} is full or the file ends; returns the number
   * of bytes read.
   */
  int read(ByteBuffer buffer, long position) throws IOException {
    int start = buffer.position();
    return repeated(
        c -> {
          buffer.position(start);
          int total = 0;
          while (buffer.hasRemaining()) {
            int read = c.read(buffer, position + total);
            if (read < 0) {
              break;
            }
            total += read;
          }
          return total;
        });
  }

  @Override
  public void close() throws IOException {
    synchronized (reopening) {
      closed = true;
      channel.close();
    }
  }

  private interface Operation<T> {
    T on(FileChannel channel) throws IOException;
  }

  private <T> T repeated(Operation<T> operation) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      while (true) {
        FileChannel current = channel;
        try {
          return operation.on(current);
        } catch (ClosedChannelException e) {
          // Closed by an interrupt (ours, arriving during the call, or another thread's).
          interrupted |= Thread.interrupted();
          reopen(current, e);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void reopen(FileChannel failed, ClosedChannelException cause) throws IOException {
    synchronized (reopening) {
      if (closed) {
        throw cause;
      }
      if (channel == failed) {
        channel = openChannel(file);
      }
    }
  }

  private static FileChannel openChannel(Path file) throws IOException {
    return FileChannel.open(
        file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }
}
