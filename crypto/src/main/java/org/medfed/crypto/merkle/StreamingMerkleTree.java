package org.medfed.crypto.merkle;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The RFC 9162 Merkle tree of a log that is read once, from its first entry to its last: the
 * verifier's view, where {@link MerkleTree} is the writer's. It keeps O(log n) hashes instead of
 * every subtree, so it cannot answer for any size after the fact; instead the root hashes and
 * consistency proofs wanted are requested before the entries go by ({@link #requestRootHash},
 * {@link #requestConsistencyProof}), and are computed as the tree passes through the sizes they
 * need. The answers are exactly those {@link MerkleTree#rootHash(long)} and {@link
 * MerkleTree#consistencyProof} give for the same leaves.
 *
 * <p>What it keeps: for each level k, the hash of the most recent complete, aligned subtree of 2^k
 * leaves. After an append that brings the size to s, that covers every aligned subtree ending at s,
 * and for each bit k set in s, the subtree of the binary decomposition of [0, s) at that level; any
 * subtree the RFC's definitions use that ends at s is one of those or a fold of the latter. Each
 * requested hash is taken when the size reaches the subtree's end.
 *
 * <p>Appends cost one leaf hash and amortised one node hash, and allocate nothing. Not thread-safe.
 */
public final class StreamingMerkleTree {
  private static final int HASH = Hasher.HASH_SIZE;
  private static final int LEVELS = 64;
  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  private final MessageDigest sha256;

  /** Level k at offset 32·k: the latest complete aligned subtree of 2^k leaves. */
  private final byte[] latest = new byte[LEVELS * HASH];

  private final byte[] carry = new byte[HASH];
  private final byte[] scratch = new byte[HASH];
  private long size;

  // Every requested subtree [start, end), by number; its hash is stored at 32·number once known.
  private long[] starts = new long[16];
  private long[] ends = new long[16];
  private byte[] hashes = new byte[16 * HASH];
  private int ranges;
  // Requested subtrees not yet reached: a binary min-heap of their numbers, keyed by end.
  private int[] pending = new int[16];
  private int pendingCount;

  private final Map<Long, Integer> roots = new HashMap<>();
  private final Map<SizePair, int[]> proofs = new HashMap<>();

  private record SizePair(long oldSize, long newSize) {}

  /** An empty tree. */
  public StreamingMerkleTree() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }

  /** The number of entries appended so far. */
  public long size() {
    return size;
  }

  /**
   * Asks for the root hash at {@code treeSize}, to be read with {@link #rootHash} once the tree has
   * reached that size. Asking twice is harmless.
   *
   * @throws IllegalArgumentException if {@code treeSize} is negative
   * @throws IllegalStateException if the tree has already grown past {@code treeSize}
   */
  public void requestRootHash(long treeSize) {
    if (treeSize < 0) {
      throw new IllegalArgumentException("tree size must not be negative, was " + treeSize);
    }
    if (treeSize == 0 || roots.containsKey(treeSize)) {
      return;
    }
    requireNotPassed(treeSize);
    roots.put(treeSize, request(0, treeSize));
  }

  /**
   * Asks for the consistency proof from {@code oldSize} to {@code newSize}, to be read with {@link
   * #consistencyProof} once the tree has reached {@code newSize}. Asking twice is harmless.
   *
   * @throws IllegalArgumentException unless {@code 0 <= oldSize <= newSize}
   * @throws IllegalStateException if the tree has already grown past the end of a subtree the proof
   *     needs (the first ends at the largest power of two not above {@code oldSize}; before the
   *     first append is always in time)
   */
  public void requestConsistencyProof(long oldSize, long newSize) {
    if (oldSize < 0 || oldSize > newSize) {
      throw new IllegalArgumentException(
          "old size " + oldSize + " must be between 0 and the new size " + newSize);
    }
    SizePair key = new SizePair(oldSize, newSize);
    if (oldSize == 0 || oldSize == newSize || proofs.containsKey(key)) {
      return;
    }
    List<long[]> subtrees = new ArrayList<>();
    subproof(oldSize, 0, newSize, true, subtrees);
    for (long[] subtree : subtrees) {
      requireNotPassed(subtree[1]);
    }
    int[] numbers = new int[subtrees.size()];
    for (int i = 0; i < numbers.length; i++) {
      numbers[i] = request(subtrees.get(i)[0], subtrees.get(i)[1]);
    }
    proofs.put(key, numbers);
  }

  /**
   * Appends the entry held in {@code entry[offset, offset + length)} (its leaf hash is SHA-256(0x00
   * ‖ entry)) and returns its index.
   */
  public long appendLeaf(byte[] entry, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, entry.length);
    sha256.update(LEAF_PREFIX);
    sha256.update(entry, offset, length);
    digestInto(carry);
    return push();
  }

  /**
   * Appends an already computed leaf hash and returns its index.
   *
   * @throws IllegalArgumentException if the hash is not 32 bytes
   */
  public long appendLeafHash(byte[] leafHash) {
    MerkleHashes.requireHash("leafHash", leafHash);
    return appendLeafHash(leafHash, 0);
  }

  /**
   * Appends the already computed leaf hash held in {@code hashes[offset, offset + 32)} (one of many
   * computed together) and returns its index.
   */
  public long appendLeafHash(byte[] hashes, int offset) {
    Objects.checkFromIndexSize(offset, HASH, hashes.length);
    System.arraycopy(hashes, offset, carry, 0, HASH);
    return push();
  }

  /**
   * The root hash the tree had at {@code treeSize} entries, as {@link MerkleTree#rootHash(long)}.
   *
   * @throws IllegalStateException unless it was requested in time and the tree has reached that
   *     size
   */
  public byte[] rootHash(long treeSize) {
    if (treeSize == 0) {
      sha256.reset();
      return sha256.digest();
    }
    Integer number = roots.get(treeSize);
    if (number == null) {
      throw new IllegalStateException(
          "the root hash at tree size " + treeSize + " was not requested");
    }
    requireReached(treeSize);
    return hash(number);
  }

  /**
   * The consistency proof from {@code oldSize} to {@code newSize}, as {@link
   * MerkleTree#consistencyProof}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= oldSize <= newSize}
   * @throws IllegalStateException unless it was requested in time and the tree has reached {@code
   *     newSize}
   */
  public List<byte[]> consistencyProof(long oldSize, long newSize) {
    if (oldSize < 0 || oldSize > newSize) {
      throw new IllegalArgumentException(
          "old size " + oldSize + " must be between 0 and the new size " + newSize);
    }
    if (oldSize == 0 || oldSize == newSize) {
      requireReached(newSize);
      return List.of();
    }
    int[] numbers = proofs.get(new SizePair(oldSize, newSize));
    if (numbers == null) {
      throw new IllegalStateException(
          "the consistency proof from " + oldSize + " to " + newSize + " was not requested");
    }
    requireReached(newSize);
    List<byte[]> proof = new ArrayList<>(numbers.length);
    for (int number : numbers) {
      proof.add(hash(number));
    }
    return List.copyOf(proof);
  }

  @Override
  public String toString() {
    return "StreamingMerkleTree[size=" + size + "]";
  }

  private long push() {
    long index = size;
    long newSize = size + 1;
    // The new leaf completes one aligned subtree per trailing zero bit of the new size; the left
    // sibling at each level is the latest subtree there, which the new one then replaces.
    int completed = Long.numberOfTrailingZeros(newSize);
    byte[] right = carry;
    byte[] parent = scratch;
    for (int level = 0; level < completed; level++) {
      nodeInto(latest, level * HASH, right, 0, parent, 0);
      System.arraycopy(right, 0, latest, level * HASH, HASH);
      byte[] swap = right;
      right = parent;
      parent = swap;
    }
    System.arraycopy(right, 0, latest, completed * HASH, HASH);
    size = newSize;
    while (pendingCount > 0 && ends[pending[0]] == newSize) {
      int number = pollPending();
      subtreeHashInto(starts[number], hashes, number * HASH);
    }
    return index;
  }

  /** MTH(D[start:size]) of a subtree of the RFC 9162 tree that ends at the current size. */
  private void subtreeHashInto(long start, byte[] out, int outOffset) {
    long n = size - start;
    if (Long.bitCount(n) == 1 && (start & (n - 1)) == 0) {
      // A complete aligned subtree ending now: the latest at its level.
      System.arraycopy(latest, Long.numberOfTrailingZeros(n) * HASH, out, outOffset, HASH);
      return;
    }
    // A right edge: the subtrees of the decomposition of [0, size) from start on, folded from the
    // right (the left half of each RFC split is the largest of them).
    long bits = size;
    int level = Long.numberOfTrailingZeros(bits);
    byte[] folded = new byte[HASH];
    System.arraycopy(latest, level * HASH, folded, 0, HASH);
    long from = size - (1L << level);
    bits &= bits - 1;
    while (from > start && bits != 0) {
      level = Long.numberOfTrailingZeros(bits);
      nodeInto(latest, level * HASH, folded, 0, folded, 0);
      from -= 1L << level;
      bits &= bits - 1;
    }
    if (from != start) {
      throw new IllegalStateException(
          "entries " + start + ".." + (size - 1) + " are not a subtree ending at size " + size);
    }
    System.arraycopy(folded, 0, out, outOffset, HASH);
  }

  /** Registers the subtree [start, end) and returns its number. */
  private int request(long start, long end) {
    if (ranges == starts.length) {
      starts = Arrays.copyOf(starts, 2 * ranges);
      ends = Arrays.copyOf(ends, 2 * ranges);
      hashes = Arrays.copyOf(hashes, 2 * ranges * HASH);
    }
    int number = ranges++;
    starts[number] = start;
    ends[number] = end;
    if (end == size) {
      subtreeHashInto(start, hashes, number * HASH);
    } else {
      addPending(number);
    }
    return number;
  }

  /**
   * SUBPROOF(m, D[lo:hi], b) of RFC 9162 §2.1.4.1 as subtrees, in proof order; m counts from lo.
   */
  private static void subproof(long m, long lo, long hi, boolean wholeOldTree, List<long[]> out) {
    long n = hi - lo;
    if (m == n) {
      if (!wholeOldTree) {
        out.add(new long[] {lo, hi});
      }
      return;
    }
    long k = MerkleTree.largestPowerOfTwoBelow(n);
    if (m <= k) {
      subproof(m, lo, lo + k, wholeOldTree, out);
      out.add(new long[] {lo + k, hi});
    } else {
      subproof(m - k, lo + k, hi, false, out);
      out.add(new long[] {lo, lo + k});
    }
  }

  private byte[] hash(int number) {
    return Arrays.copyOfRange(hashes, number * HASH, (number + 1) * HASH);
  }

  private void requireNotPassed(long treeSize) {
    if (size > treeSize) {
      throw new IllegalStateException(
          "the tree already holds "
              + size
              + " entries; what needs tree size "
              + treeSize
              + " must be requested earlier");
    }
  }

  private void requireReached(long treeSize) {
    if (treeSize > size) {
      throw new IllegalStateException("the tree holds only " + size + " entries, not " + treeSize);
    }
  }

  private void nodeInto(
      byte[] left, int leftOffset, byte[] right, int rightOffset, byte[] out, int outOffset) {
    sha256.update(NODE_PREFIX);
    sha256.update(left, leftOffset, HASH);
    sha256.update(right, rightOffset, HASH);
    try {
      sha256.digest(out, outOffset, HASH);
    } catch (DigestException e) {
      throw new IllegalStateException("a 32-byte buffer holds a SHA-256 digest", e);
    }
  }

  private void digestInto(byte[] out) {
    try {
      sha256.digest(out, 0, HASH);
    } catch (DigestException e) {
      throw new IllegalStateException("a 32-byte buffer holds a SHA-256 digest", e);
    }
  }

  private void addPending(int number) {
    if (pendingCount == pending.length) {
      pending = Arrays.copyOf(pending, 2 * pendingCount);
    }
    int at = pendingCount++;
    while (at > 0) {
      int parent = (at - 1) >>> 1;
      if (ends[pending[parent]] <= ends[number]) {
        break;
      }
      pending[at] = pending[parent];
      at = parent;
    }
    pending[at] = number;
  }

  private int pollPending() {
    int top = pending[0];
    int last = pending[--pendingCount];
    int at = 0;
    while (true) {
      int child = 2 * at + 1;
      if (child >= pendingCount) {
        break;
      }
      if (child + 1 < pendingCount && ends[pending[child + 1]] < ends[pending[child]]) {
        child++;
      }
      if (ends[pending[child]] >= ends[last]) {
        break;
      }
      pending[at] = pending[child];
      at = child;
    }
    if (pendingCount > 0) {
      pending[at] = last;
    }
    return top;
  }
}
