package org.medfed.crypto.merkle;

import java.util.Objects;

/**
 * The hash functions of RFC 9162 §2.1.1 with SHA-256. The one-byte prefixes keep a leaf hash from
 * ever equalling an interior node hash, so nobody can pass off a subtree as an entry.
 */
public final class MerkleHashes {
  /** Length in bytes of every leaf, node and root hash. */
  public static final int HASH_SIZE = Hasher.HASH_SIZE;

  private MerkleHashes() {}

  /** SHA-256(0x00 ‖ entry): the leaf hash of one log entry. */
  public static byte[] leafHash(byte[] entry) {
    Objects.requireNonNull(entry, "entry");
    return new Hasher().leaf(entry);
  }

  /** SHA-256(0x01 ‖ left ‖ right): the hash of an interior node. */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    requireHash("left", left);
    requireHash("right", right);
    return new Hasher().node(left, right);
  }

  /** SHA-256 of the empty string: the root hash of a tree with no entries. */
  public static byte[] emptyRoot() {
    return new Hasher().emptyRoot();
  }

  static void requireHash(String what, byte[] hash) {
    Objects.requireNonNull(hash, what);
    if (hash.length != HASH_SIZE) {
      throw new IllegalArgumentException(
          what
              + " must be a "
              + HASH_SIZE
              + "-byte SHA-256 hash, but has "
              + hash.length
              + " bytes");
    }
  }
}
