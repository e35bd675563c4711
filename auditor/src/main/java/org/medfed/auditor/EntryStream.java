package org.medfed.auditor;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.medfed.auditor.LogAuditor.AuditedEntry;
import org.medfed.crypto.merkle.StreamingMerkleTree;

/**
 * Hands the framed entries of an exchange log to the checks once, in log order, a slice at a time:
 * slices are hashed (RFC 9162 leaf hashes) and decoded on all cores a few slices ahead of the
 * checks, and each slice is dropped once the checks have seen it. The checks keep what they need,
 * so a log of millions of entries is never held decoded all at once.
 */
final class EntryStream implements AutoCloseable {
  private static final int SLICE = 4096;
  private static final byte[] LEAF_PREFIX = {0x00};

  /** A run of consecutive records: their leaf hashes, the entries that decoded, and why not. */
  record Slice(byte[] leafHashes, List<AuditedEntry> entries, List<Finding> failures) {
    int records() {
      return leafHashes.length / 32;
    }

    /** Appends the slice's leaf hashes to {@code tree}, in order. */
    void appendLeafHashesTo(StreamingMerkleTree tree) {
      for (int at = 0; at < leafHashes.length; at += 32) {
        tree.appendLeafHash(leafHashes, at);
      }
    }
  }

  private final FramedLog log;
  private final int slices;
  private final ExecutorService pool;
  private final ArrayDeque<Future<Slice>> window = new ArrayDeque<>();
  private int next;

  private EntryStream(FramedLog log) {
    this.log = log;
    this.slices = (log.count() + SLICE - 1) / SLICE;
    int threads = Runtime.getRuntime().availableProcessors();
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            runnable -> Thread.ofPlatform().daemon().name("audit-read").unstarted(runnable));
    // Enough slices ahead that every thread has one to decode while the checks take another, and
    // few enough that only a few thousand decoded entries are ever held.
    int ahead = 2 * threads + 1;
    while (next < Math.min(slices, ahead)) {
      submitNext();
    }
  }

  /**
   * Starts hashing and decoding the first slices of {@code log} on all cores, while the caller
   * prepares the checks.
   */
  static EntryStream start(FramedLog log) {
    return new EntryStream(log);
  }

  /** Gives {@code checks} every slice in order, on the calling thread. */
  void forEach(Consumer<Slice> checks) {
    while (!window.isEmpty()) {
      Slice slice = take(window.poll());
      if (next < slices) {
        submitNext();
      }
      checks.accept(slice);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  private void submitNext() {
    int slice = next++;
    window.add(pool.submit(() -> slice(log, slice)));
  }

  private static Slice take(Future<Slice> slice) {
    try {
      return slice.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the log", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private static Slice slice(FramedLog log, int slice) {
    MessageDigest sha256 = sha256();
    CanonicalDecoder decoder = new CanonicalDecoder();
    byte[] file = log.file();
    int start = slice * SLICE;
    int end = Math.min(log.count(), start + SLICE);
    byte[] leafHashes = new byte[(end - start) * 32];
    List<AuditedEntry> entries = new ArrayList<>(end - start);
    List<Finding> failures = new ArrayList<>();
    for (int i = start; i < end; i++) {
      int from = log.from(i);
      int length = log.length(i);
      sha256.update(LEAF_PREFIX);
      sha256.update(file, from, length);
      try {
        sha256.digest(leafHashes, (i - start) * 32, 32);
      } catch (DigestException e) {
        throw new IllegalStateException("a 32-byte slot holds a SHA-256 digest", e);
      }
      decoder.entry(file, from, length, i, log.offset(i), failures).ifPresent(entries::add);
    }
    return new Slice(leafHashes, entries, failures);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }
}
