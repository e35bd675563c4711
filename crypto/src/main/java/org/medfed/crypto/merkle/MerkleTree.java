package org.medfed.crypto.merkle;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An append-only Merkle tree as defined in RFC 9162 §2.1, held in memory: the log writer's view. It
 * answers for the current size and for every earlier size, so a coordinator can serve proofs
 * against any checkpoint it has published.
 *
 * <p>Only the hashes of complete, aligned subtrees are kept: level {@code k} holds the hash of
 * leaves {@code [i·2^k, (i+1)·2^k)} for every such block that is full. Any subtree the RFC's
 * definitions ask for is then either one stored hash or a chain of at most 64 of them down the
 * right edge, so appends cost amortised two hashes, and roots and proofs at any size cost O(log n).
 * The price is about 64 bytes of memory per entry.
 *
 * <p>Thread-safe: all methods synchronise on the tree, which is cheap because none runs longer than
 * O(log n) hashes.
 */
public final class MerkleTree {
  /** levels.get(k) holds the complete subtrees of 2^k leaves, left to right. */
  private final List<HashStore> levels = new ArrayList<>();

  private final Hasher hasher = new Hasher();
  private long size;

  /** An empty tree. */
  public MerkleTree() {
    levels.add(new HashStore());
  }

  /** Appends an entry (its leaf hash is SHA-256(0x00 ‖ entry)) and returns its index. */
  public synchronized long append(byte[] entry) {
    Objects.requireNonNull(entry, "entry");
    return add(hasher.leaf(entry));
  }

  /**
   * Appends an already computed leaf hash and returns its index: for rebuilding the tree from a
   * stored log without rehashing every entry.
   *
   * @throws IllegalArgumentException if the hash is not 32 bytes
   */
  public synchronized long appendLeafHash(byte[] leafHash) {
    MerkleHashes.requireHash("leafHash", leafHash);
    return add(leafHash);
  }

  /** The number of entries appended so far. */
  public synchronized long size() {
    return size;
  }

  /** The leaf hash of the entry at {@code index}. */
  public synchronized byte[] leafHash(long index) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException(
          "leaf index " + index + " is outside the tree of size " + size);
    }
    return levels.getFirst().get(index);
  }

  /** The root hash of the tree at its current size (SHA-256 of "" when it is empty). */
  public synchronized byte[] rootHash() {
    return rootHash(size);
  }

  /**
   * The root hash the tree had when it held {@code treeSize} entries.
   *
   * @throws IllegalArgumentException unless {@code 0 <= treeSize <= size()}
   */
  public synchronized byte[] rootHash(long treeSize) {
    requireSize("treeSize", treeSize);
    if (treeSize == 0) {
      return hasher.emptyRoot();
    }
    return subtreeHash(0, treeSize);
  }

  /**
   * The inclusion proof (audit path, RFC 9162 §2.1.3.1) of entry {@code index} in the tree of
   * {@code treeSize} entries: sibling hashes from the leaf up to the root.
   *
   * @throws IllegalArgumentException unless {@code 0 <= index < treeSize <= size()}
   */
  public synchronized List<byte[]> inclusionProof(long index, long treeSize) {
    requireSize("treeSize", treeSize);
    if (index < 0 || index >= treeSize) {
      throw new IllegalArgumentException(
          "leaf index " + index + " is outside the tree of size " + treeSize);
    }
    List<byte[]> proof = new ArrayList<>();
    path(index, 0, treeSize, proof);
    return List.copyOf(proof);
  }

  /**
   * The consistency proof (RFC 9162 §2.1.4.1) that the tree of {@code oldSize} entries is a prefix
   * of the tree of {@code newSize} entries. It is empty when {@code oldSize} is 0 or equals {@code
   * newSize}, where nothing needs proving.
   *
   * @throws IllegalArgumentException unless {@code 0 <= oldSize <= newSize <= size()}
   */
  public synchronized List<byte[]> consistencyProof(long oldSize, long newSize) {
    requireSize("newSize", newSize);
    if (oldSize < 0 || oldSize > newSize) {
      throw new IllegalArgumentException(
          "old size " + oldSize + " must be between 0 and the new size " + newSize);
    }
    if (oldSize == 0 || oldSize == newSize) {
      return List.of();
    }
    List<byte[]> proof = new ArrayList<>();
    subproof(oldSize, 0, newSize, true, proof);
    return List.copyOf(proof);
  }

  @Override
  public synchronized String toString() {
    return "MerkleTree[size=" + size + "]";
  }

  private long add(byte[] leafHash) {
    long index = size;
    levels.getFirst().add(leafHash);
    size++;
    // Each trailing zero bit of the new size is a block that just became complete at that level.
    long blocks = size;
    for (int level = 0; (blocks & 1) == 0; level++, blocks >>>= 1) {
      HashStore children = levels.get(level);
      long last = children.size() - 1;
      byte[] parent = hasher.node(children.get(last - 1), children.get(last));
      if (levels.size() == level + 1) {
        levels.add(new HashStore());
      }
      levels.get(level + 1).add(parent);
    }
    return index;
  }

  /** MTH(D[lo:hi]) per RFC 9162 §2.1.1; {@code hi - lo >= 1}. */
  private byte[] subtreeHash(long lo, long hi) {
    long n = hi - lo;
    if (Long.bitCount(n) == 1 && lo % n == 0) {
      int level = Long.numberOfTrailingZeros(n);
      return levels.get(level).get(lo >>> level);
    }
    // Only reached for a right-edge subtree; its left half is aligned and comes from the store.
    long k = largestPowerOfTwoBelow(n);
    return hasher.node(subtreeHash(lo, lo + k), subtreeHash(lo + k, hi));
  }

  /** PATH(m, D[lo:hi]) with m absolute, appended deepest sibling first. */
  private void path(long m, long lo, long hi, List<byte[]> out) {
    long n = hi - lo;
    if (n == 1) {
      return;
    }
    long k = largestPowerOfTwoBelow(n);
    if (m < lo + k) {
      path(m, lo, lo + k, out);
      out.add(subtreeHash(lo + k, hi));
    } else {
      path(m, lo + k, hi, out);
      out.add(subtreeHash(lo, lo + k));
    }
  }

  /** SUBPROOF(m, D[lo:hi], b) with m counted from lo. */
  private void subproof(long m, long lo, long hi, boolean wholeOldTree, List<byte[]> out) {
    long n = hi - lo;
    if (m == n) {
      // The verifier already holds the old root; any other complete old subtree must be sent.
      if (!wholeOldTree) {
        out.add(subtreeHash(lo, hi));
      }
      return;
    }
    long k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      subproof(m, lo, lo + k, wholeOldTree, out);
      out.add(subtreeHash(lo + k, hi));
    } else {
      subproof(m - k, lo + k, hi, false, out);
      out.add(subtreeHash(lo, lo + k));
    }
  }

  private void requireSize(String what, long treeSize) {
    if (treeSize < 0 || treeSize > size) {
      throw new IllegalArgumentException(
          what + " " + treeSize + " must be between 0 and the tree's size " + size);
    }
  }

  /** The k of RFC 9162: the largest power of two strictly smaller than n, for n >= 2. */
  static long largestPowerOfTwoBelow(long n) {
    return Long.highestOneBit(n - 1);
  }
}
