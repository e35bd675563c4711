package org.medfed.crypto.merkle;

import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;

/**
 * Stateless verification of RFC 9162 inclusion and consistency proofs: everything an auditor or a
 * site needs, without the tree. Every input is treated as untrusted; all bounds and lengths are
 * checked before any hashing, and each failure throws {@link VerificationException} naming the
 * check that failed.
 *
 * <p>A proof binds an entry or an old root to a root hash, not to a tree size: for some pairs of
 * sizes the same proof has the same shape, so a proof for size 6 also "verifies" for size 7 against
 * the same root. The size is authenticated by the signed {@link Checkpoint} that carries the root,
 * so always verify against the size and root of a checkpoint whose signature was checked.
 */
public final class MerkleVerifier {

  private MerkleVerifier() {}

  /**
   * Checks that {@code leafHash} is entry {@code index} of the tree of {@code treeSize} entries
   * whose root is {@code rootHash} (RFC 9162 §2.1.3.2).
   *
   * @throws VerificationException if an index, size or hash is out of range or of the wrong length,
   *     the proof has the wrong number of hashes, or it does not lead to {@code rootHash}
   */
  public static void verifyInclusion(
      byte[] leafHash, long index, long treeSize, List<byte[]> proof, byte[] rootHash)
      throws VerificationException {
    requireHash("root hash", rootHash);
    byte[] computed = rootFromInclusionProof(leafHash, index, treeSize, proof);
    if (!MessageDigest.isEqual(computed, rootHash)) {
      throw new VerificationException(
          "inclusion proof for leaf "
              + index
              + " in tree of size "
              + treeSize
              + " leads to a different root hash");
    }
  }

  /**
   * Checks that {@code leafHash} is entry {@code index} of the log state that {@code checkpoint}
   * records. Verify the checkpoint's signature first: the proof binds the entry to the root only.
   *
   * @throws VerificationException as {@link #verifyInclusion(byte[], long, long, List, byte[])}
   */
  public static void verifyInclusion(
      byte[] leafHash, long index, List<byte[]> proof, Checkpoint checkpoint)
      throws VerificationException {
    Objects.requireNonNull(checkpoint, "checkpoint");
    verifyInclusion(leafHash, index, checkpoint.treeSize(), proof, checkpoint.rootHash());
  }

  /**
   * The root hash that {@code proof} yields for {@code leafHash} at {@code index} in a tree of
   * {@code treeSize} entries (steps 1–4 of RFC 9162 §2.1.3.2). The caller must compare it with a
   * root it trusts; {@link #verifyInclusion} does that.
   *
   * @throws VerificationException if the index, size or a hash is out of range or of the wrong
   *     length, or the proof has the wrong number of hashes for that index and size
   */
  public static byte[] rootFromInclusionProof(
      byte[] leafHash, long index, long treeSize, List<byte[]> proof) throws VerificationException {
    requireHash("leaf hash", leafHash);
    requireProof(proof);
    if (index < 0 || treeSize < 0) {
      throw new VerificationException(
          "leaf index " + index + " and tree size " + treeSize + " must not be negative");
    }
    if (index >= treeSize) {
      throw new VerificationException(
          "leaf index " + index + " is not below the tree size " + treeSize);
    }
    int expected = inclusionProofLength(index, treeSize);
    if (proof.size() != expected) {
      throw new VerificationException(
          "inclusion proof for leaf "
              + index
              + " in tree of size "
              + treeSize
              + " must have "
              + expected
              + " hashes, but has "
              + proof.size());
    }
    Hasher hasher = new Hasher();
    long fn = index;
    long sn = treeSize - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (sn == 0) {
        throw new VerificationException("inclusion proof is longer than the path to the root");
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = hasher.node(p, r);
        // Skip the levels where this node is a lone right-edge child with no sibling.
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        r = hasher.node(r, p);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    if (sn != 0) {
      throw new VerificationException("inclusion proof is shorter than the path to the root");
    }
    return r;
  }

  /**
   * Checks that the tree of {@code oldSize} entries with root {@code oldRoot} is a prefix of the
   * tree of {@code newSize} entries with root {@code newRoot} (RFC 9162 §2.1.4.2).
   *
   * <p>Beyond the RFC, which covers {@code 0 < oldSize < newSize}: equal sizes are consistent
   * exactly when the roots are equal and the proof is empty, and an empty old tree is consistent
   * with any new one when the proof is empty and {@code oldRoot} is the empty-tree hash.
   *
   * @throws VerificationException if a size or hash is out of range or of the wrong length, {@code
   *     oldSize > newSize}, the proof has the wrong number of hashes, or it does not reproduce both
   *     roots
   */
  public static void verifyConsistency(
      long oldSize, long newSize, byte[] oldRoot, byte[] newRoot, List<byte[]> proof)
      throws VerificationException {
    requireHash("old root hash", oldRoot);
    requireHash("new root hash", newRoot);
    requireProof(proof);
    if (oldSize < 0 || newSize < 0) {
      throw new VerificationException(
          "tree sizes " + oldSize + " and " + newSize + " must not be negative");
    }
    if (oldSize > newSize) {
      throw new VerificationException(
          "old tree size " + oldSize + " is larger than the new tree size " + newSize);
    }
    if (oldSize == newSize || oldSize == 0) {
      verifyTrivialConsistency(oldSize, newSize, oldRoot, newRoot, proof);
      return;
    }
    int expected = consistencyProofLength(oldSize, newSize);
    if (proof.size() != expected) {
      throw new VerificationException(
          "consistency proof from size "
              + oldSize
              + " to "
              + newSize
              + " must have "
              + expected
              + " hashes, but has "
              + proof.size());
    }
    Hasher hasher = new Hasher();
    // Step 2: when the old tree is a complete subtree, its root is the proof's implicit first node.
    boolean oldIsCompleteSubtree = Long.bitCount(oldSize) == 1;
    byte[] first = oldIsCompleteSubtree ? oldRoot : proof.getFirst();
    int rest = oldIsCompleteSubtree ? 0 : 1;
    long fn = oldSize - 1;
    long sn = newSize - 1;
    while ((fn & 1) == 1) {
      fn >>>= 1;
      sn >>>= 1;
    }
    byte[] fr = first;
    byte[] sr = first;
    for (byte[] c : proof.subList(rest, proof.size())) {
      if (sn == 0) {
        throw new VerificationException("consistency proof is longer than the path to the root");
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = hasher.node(c, fr);
        sr = hasher.node(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        sr = hasher.node(sr, c);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    if (sn != 0) {
      throw new VerificationException("consistency proof is shorter than the path to the root");
    }
    if (!MessageDigest.isEqual(fr, oldRoot)) {
      throw new VerificationException(
          "consistency proof from size "
              + oldSize
              + " to "
              + newSize
              + " does not reproduce the old root hash");
    }
    if (!MessageDigest.isEqual(sr, newRoot)) {
      throw new VerificationException(
          "consistency proof from size "
              + oldSize
              + " to "
              + newSize
              + " does not reproduce the new root hash");
    }
  }

  /**
   * Checks that {@code newer} extends {@code older}: the same log, no smaller, and consistent by
   * {@code proof}. A site runs this on every checkpoint it receives against the last one it kept;
   * failure means the log operator has shown it two irreconcilable histories.
   *
   * @throws VerificationException if the origins differ, or as {@link #verifyConsistency(long,
   *     long, byte[], byte[], List)}
   */
  public static void verifyConsistency(Checkpoint older, Checkpoint newer, List<byte[]> proof)
      throws VerificationException {
    Objects.requireNonNull(older, "older");
    Objects.requireNonNull(newer, "newer");
    if (!older.origin().equals(newer.origin())) {
      throw new VerificationException(
          "checkpoints are of different logs: \""
              + older.origin()
              + "\" and \""
              + newer.origin()
              + "\"");
    }
    verifyConsistency(
        older.treeSize(), newer.treeSize(), older.rootHash(), newer.rootHash(), proof);
  }

  private static void verifyTrivialConsistency(
      long oldSize, long newSize, byte[] oldRoot, byte[] newRoot, List<byte[]> proof)
      throws VerificationException {
    if (!proof.isEmpty()) {
      throw new VerificationException(
          "consistency proof from size "
              + oldSize
              + " to "
              + newSize
              + " must be empty, but has "
              + proof.size()
              + " hashes");
    }
    if (oldSize == newSize && !MessageDigest.isEqual(oldRoot, newRoot)) {
      throw new VerificationException(
          "two different root hashes for the same tree size " + oldSize);
    }
    if (oldSize == 0 && !MessageDigest.isEqual(oldRoot, new Hasher().emptyRoot())) {
      throw new VerificationException("root hash of the empty tree is not SHA-256 of \"\"");
    }
  }

  /**
   * The number of hashes the RFC 9162 algorithm consumes: one per level below the point where the
   * paths to {@code index} and to the last leaf split, plus one per left sibling above it.
   */
  static int inclusionProofLength(long index, long treeSize) {
    int inner = 64 - Long.numberOfLeadingZeros(index ^ (treeSize - 1));
    return inner + Long.bitCount(index >>> inner);
  }

  /**
   * As {@link #inclusionProofLength}, for the old tree's last leaf, minus the implicit old root.
   */
  static int consistencyProofLength(long oldSize, long newSize) {
    int shift = Long.numberOfTrailingZeros(oldSize);
    long oldLast = (oldSize - 1) >>> shift;
    long newLast = (newSize - 1) >>> shift;
    int inner = 64 - Long.numberOfLeadingZeros(oldLast ^ newLast);
    int start = oldSize == 1L << shift ? 0 : 1;
    return start + inner + Long.bitCount(oldLast >>> inner);
  }

  private static void requireHash(String what, byte[] hash) throws VerificationException {
    Objects.requireNonNull(hash, what);
    if (hash.length != MerkleHashes.HASH_SIZE) {
      throw new VerificationException(
          what + " must have " + MerkleHashes.HASH_SIZE + " bytes, but has " + hash.length);
    }
  }

  private static void requireProof(List<byte[]> proof) throws VerificationException {
    Objects.requireNonNull(proof, "proof");
    for (int i = 0; i < proof.size(); i++) {
      requireHash("proof hash " + i, proof.get(i));
    }
  }
}
