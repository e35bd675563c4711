package org.medfed.crypto.merkle;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A deliberately naive transcription of the recursive definitions in RFC 9162 §2.1 (MTH, PATH,
 * PROOF/SUBPROOF, and the recursive reading of both verifications), recomputing everything from the
 * leaf hashes, to check the fast implementations against. It shares no code with them.
 */
final class ReferenceTree {
  private ReferenceTree() {}

  static byte[] mth(List<byte[]> leafHashes) {
    if (leafHashes.isEmpty()) {
      return sha256(new byte[0]);
    }
    if (leafHashes.size() == 1) {
      return leafHashes.getFirst();
    }
    int k = split(leafHashes.size());
    return node(mth(leafHashes.subList(0, k)), mth(leafHashes.subList(k, leafHashes.size())));
  }

  static List<byte[]> path(int m, List<byte[]> leaves) {
    int n = leaves.size();
    if (n == 1) {
      return new ArrayList<>();
    }
    int k = split(n);
    List<byte[]> result;
    if (m < k) {
      result = path(m, leaves.subList(0, k));
      result.add(mth(leaves.subList(k, n)));
    } else {
      result = path(m - k, leaves.subList(k, n));
      result.add(mth(leaves.subList(0, k)));
    }
    return result;
  }

  static List<byte[]> proof(int m, List<byte[]> leaves) {
    if (m == 0 || m == leaves.size()) {
      return new ArrayList<>();
    }
    return subproof(m, leaves, true);
  }

  private static List<byte[]> subproof(int m, List<byte[]> leaves, boolean b) {
    int n = leaves.size();
    if (m == n) {
      List<byte[]> result = new ArrayList<>();
      if (!b) {
        result.add(mth(leaves));
      }
      return result;
    }
    int k = split(n);
    List<byte[]> result;
    if (m <= k) {
      result = subproof(m, leaves.subList(0, k), b);
      result.add(mth(leaves.subList(k, n)));
    } else {
      result = subproof(m - k, leaves.subList(k, n), false);
      result.add(mth(leaves.subList(0, k)));
    }
    return result;
  }

  /**
   * Whether {@code proof} is PATH(index, D[size]) for some leaves with the given leaf hash and
   * root: rebuilds the root by walking PATH's recursion backwards.
   */
  static boolean inclusionHolds(
      byte[] leafHash, long index, long size, List<byte[]> proof, byte[] root) {
    if (index < 0 || index >= size) {
      return false;
    }
    byte[] computed = rootFromPath(leafHash, index, size, new ArrayList<>(proof));
    return computed != null && Arrays.equals(computed, root);
  }

  /** Consumes proof hashes from the end (the top of the tree); null when the count is wrong. */
  private static byte[] rootFromPath(byte[] leaf, long m, long n, List<byte[]> proof) {
    if (n == 1) {
      return proof.isEmpty() ? leaf : null;
    }
    if (proof.isEmpty()) {
      return null;
    }
    long k = Long.highestOneBit(n - 1);
    byte[] sibling = proof.removeLast();
    if (m < k) {
      byte[] left = rootFromPath(leaf, m, k, proof);
      return left == null ? null : node(left, sibling);
    }
    byte[] right = rootFromPath(leaf, m - k, n - k, proof);
    return right == null ? null : node(sibling, right);
  }

  /**
   * Whether {@code proof} is PROOF(oldSize, D[newSize]) for some leaves with the given roots:
   * rebuilds both roots by walking SUBPROOF's recursion backwards.
   */
  static boolean consistencyHolds(
      long oldSize, long newSize, byte[] oldRoot, byte[] newRoot, List<byte[]> proof) {
    if (oldSize < 0 || oldSize > newSize) {
      return false;
    }
    if (oldSize == 0 || oldSize == newSize) {
      boolean rootsAgree =
          oldSize == 0
              ? Arrays.equals(oldRoot, sha256(new byte[0]))
              : Arrays.equals(oldRoot, newRoot);
      return proof.isEmpty() && rootsAgree;
    }
    List<byte[]> remaining = new ArrayList<>(proof);
    byte[][] roots = rootsFromSubproof(oldSize, newSize, true, oldRoot, remaining);
    return roots != null
        && remaining.isEmpty()
        && Arrays.equals(roots[0], oldRoot)
        && Arrays.equals(roots[1], newRoot);
  }

  /** {old subtree hash, new subtree hash}, consuming hashes from the end; null if they run out. */
  private static byte[][] rootsFromSubproof(
      long m, long n, boolean b, byte[] oldRoot, List<byte[]> proof) {
    if (m == n) {
      if (b) {
        return new byte[][] {oldRoot, oldRoot};
      }
      if (proof.isEmpty()) {
        return null;
      }
      byte[] hash = proof.removeFirst();
      return new byte[][] {hash, hash};
    }
    if (proof.isEmpty()) {
      return null;
    }
    long k = Long.highestOneBit(n - 1);
    byte[] sibling = proof.removeLast();
    if (m <= k) {
      byte[][] inner = rootsFromSubproof(m, k, b, oldRoot, proof);
      return inner == null ? null : new byte[][] {inner[0], node(inner[1], sibling)};
    }
    byte[][] inner = rootsFromSubproof(m - k, n - k, false, oldRoot, proof);
    return inner == null ? null : new byte[][] {node(sibling, inner[0]), node(sibling, inner[1])};
  }

  static byte[] leaf(byte[] entry) {
    byte[] input = new byte[entry.length + 1];
    System.arraycopy(entry, 0, input, 1, entry.length);
    return sha256(input);
  }

  static byte[] node(byte[] left, byte[] right) {
    byte[] input = new byte[1 + left.length + right.length];
    input[0] = 1;
    System.arraycopy(left, 0, input, 1, left.length);
    System.arraycopy(right, 0, input, 1 + left.length, right.length);
    return sha256(input);
  }

  private static int split(int n) {
    int k = 1;
    while (k * 2 < n) {
      k *= 2;
    }
    return k;
  }

  private static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
