package org.medfed.crypto.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.medfed.crypto.merkle.MerkleTreeTest.assertProofEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class StreamingMerkleTreeTest {
  private static final int BRUTE_FORCE_MAX_SIZE = 64;

  private static byte[] entry(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
  }

  @Test
  void everyRootAndConsistencyProofUpToSize64EqualsTheFullTrees() throws Exception {
    StreamingMerkleTree streaming = new StreamingMerkleTree();
    for (int n = 0; n <= BRUTE_FORCE_MAX_SIZE; n++) {
      streaming.requestRootHash(n);
      for (int m = 0; m <= n; m++) {
        streaming.requestConsistencyProof(m, n);
      }
    }
    MerkleTree full = new MerkleTree();
    for (int i = 0; i < BRUTE_FORCE_MAX_SIZE; i++) {
      full.append(entry(i));
      assertEquals(i, streaming.appendLeaf(entry(i), 0, 4));
    }
    for (int n = 0; n <= BRUTE_FORCE_MAX_SIZE; n++) {
      assertArrayEquals(full.rootHash(n), streaming.rootHash(n), "root of size " + n);
      for (int m = 0; m <= n; m++) {
        List<byte[]> proof = streaming.consistencyProof(m, n);
        assertProofEquals(full.consistencyProof(m, n), proof, m + " to " + n);
        MerkleVerifier.verifyConsistency(m, n, full.rootHash(m), full.rootHash(n), proof);
      }
    }
  }

  @Test
  void rootsMatchPublishedVectors() {
    StreamingMerkleTree tree = new StreamingMerkleTree();
    for (int n = 0; n <= Rfc6962Vectors.ENTRIES.size(); n++) {
      tree.requestRootHash(n);
    }
    assertArrayEquals(Rfc6962Vectors.EMPTY_ROOT, tree.rootHash(0));
    for (byte[] entry : Rfc6962Vectors.ENTRIES) {
      tree.appendLeaf(entry, 0, entry.length);
      assertArrayEquals(
          Rfc6962Vectors.ROOTS.get((int) tree.size() - 1), tree.rootHash(tree.size()));
    }
  }

  @Test
  void consistencyProofsMatchPublishedVectors() {
    StreamingMerkleTree tree = new StreamingMerkleTree();
    Rfc6962Vectors.CONSISTENCY_PROOFS.forEach(
        v -> tree.requestConsistencyProof(v.oldSize(), v.newSize()));
    Rfc6962Vectors.ENTRIES.forEach(e -> tree.appendLeafHash(MerkleHashes.leafHash(e)));
    for (Rfc6962Vectors.Consistency vector : Rfc6962Vectors.CONSISTENCY_PROOFS) {
      assertProofEquals(
          vector.proof(),
          tree.consistencyProof(vector.oldSize(), vector.newSize()),
          vector.oldSize() + " to " + vector.newSize());
    }
  }

  @Test
  void largeTreeAnswersAsTheFullTree() {
    int size = 5_000;
    long[][] pairs = {{1, 4096}, {3, 4097}, {1024, 4999}, {4095, 5000}, {4999, 5000}, {17, 18}};
    StreamingMerkleTree streaming = new StreamingMerkleTree();
    for (long[] pair : pairs) {
      streaming.requestConsistencyProof(pair[0], pair[1]);
      streaming.requestRootHash(pair[0]);
      streaming.requestRootHash(pair[1]);
    }
    MerkleTree full = new MerkleTree();
    for (int i = 0; i < size; i++) {
      full.append(entry(i));
      streaming.appendLeaf(entry(i), 0, 4);
    }
    for (long[] pair : pairs) {
      assertArrayEquals(full.rootHash(pair[0]), streaming.rootHash(pair[0]));
      assertArrayEquals(full.rootHash(pair[1]), streaming.rootHash(pair[1]));
      assertProofEquals(
          full.consistencyProof(pair[0], pair[1]),
          streaming.consistencyProof(pair[0], pair[1]),
          pair[0] + " to " + pair[1]);
    }
  }

  @Property(tries = 300)
  void requestsMadeWhileStreamingAreAnsweredAsTheFullTree(
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 300) Integer> sizes,
      @ForAll @IntRange(min = 0, max = 300) int requestAt) {
    // The auditor's pattern: successive checkpoints, each needing its root and the proof from the
    // one before; here some are requested only after part of the log has gone by.
    List<Integer> sorted = sizes.stream().sorted().toList();
    StreamingMerkleTree streaming = new StreamingMerkleTree();
    MerkleTree full = new MerkleTree();
    int total = sorted.getLast() + 3;
    List<int[]> asked = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      if (i == Math.min(requestAt, total - 1) || i == 0) {
        for (int k = 0; k < sorted.size(); k++) {
          int oldSize = k == 0 ? 0 : sorted.get(k - 1);
          int newSize = sorted.get(k);
          if (oldSize >= i && !containsPair(asked, oldSize, newSize)) {
            streaming.requestRootHash(newSize);
            streaming.requestConsistencyProof(oldSize, newSize);
            asked.add(new int[] {oldSize, newSize});
          }
        }
      }
      full.append(entry(i));
      streaming.appendLeaf(entry(i), 0, 4);
    }
    for (int[] pair : asked) {
      assertArrayEquals(full.rootHash(pair[1]), streaming.rootHash(pair[1]));
      assertProofEquals(
          full.consistencyProof(pair[0], pair[1]),
          streaming.consistencyProof(pair[0], pair[1]),
          pair[0] + " to " + pair[1]);
    }
  }

  private static boolean containsPair(List<int[]> pairs, int oldSize, int newSize) {
    return pairs.stream().anyMatch(p -> p[0] == oldSize && p[1] == newSize);
  }

  @Test
  void entryIsHashedFromItsSliceOfTheArray() {
    StreamingMerkleTree slices = new StreamingMerkleTree();
    StreamingMerkleTree hashes = new StreamingMerkleTree();
    slices.requestRootHash(2);
    hashes.requestRootHash(2);
    byte[] file = {9, 9, 1, 2, 3, 9, 4, 9};
    slices.appendLeaf(file, 2, 3);
    slices.appendLeaf(file, 6, 1);
    hashes.appendLeafHash(MerkleHashes.leafHash(new byte[] {1, 2, 3}));
    hashes.appendLeafHash(MerkleHashes.leafHash(new byte[] {4}));
    assertArrayEquals(hashes.rootHash(2), slices.rootHash(2));
    assertThrows(IndexOutOfBoundsException.class, () -> slices.appendLeaf(file, 6, 3));
    assertThrows(IllegalArgumentException.class, () -> hashes.appendLeafHash(new byte[31]));
  }

  @Test
  void whatWasNotRequestedInTimeOrNotReachedIsRefused() {
    StreamingMerkleTree tree = new StreamingMerkleTree();
    tree.requestRootHash(5);
    tree.requestConsistencyProof(3, 8);
    for (int i = 0; i < 4; i++) {
      tree.appendLeaf(entry(i), 0, 4);
    }
    // The proof from 3 needs the subtree of entries 0..1, gone by now; size 4 itself is still
    // in time.
    assertThrows(IllegalStateException.class, () -> tree.requestConsistencyProof(3, 9));
    assertThrows(IllegalStateException.class, () -> tree.requestRootHash(3));
    tree.requestRootHash(4);
    tree.requestConsistencyProof(4, 6);
    assertThrows(IllegalStateException.class, () -> tree.rootHash(5));
    assertThrows(IllegalStateException.class, () -> tree.rootHash(2));
    assertThrows(IllegalStateException.class, () -> tree.consistencyProof(3, 8));
    assertThrows(IllegalArgumentException.class, () -> tree.requestConsistencyProof(5, 4));
    assertThrows(IllegalArgumentException.class, () -> tree.requestRootHash(-1));

    MerkleTree full = new MerkleTree();
    for (int i = 0; i < 8; i++) {
      full.append(entry(i));
      if (i >= 4) {
        tree.appendLeaf(entry(i), 0, 4);
      }
    }
    assertArrayEquals(full.rootHash(4), tree.rootHash(4));
    assertArrayEquals(full.rootHash(5), tree.rootHash(5));
    assertProofEquals(full.consistencyProof(3, 8), tree.consistencyProof(3, 8), "3 to 8");
    assertProofEquals(full.consistencyProof(4, 6), tree.consistencyProof(4, 6), "4 to 6");
    assertEquals(List.of(), tree.consistencyProof(8, 8));
  }

  @Test
  void returnedHashesAreCopies() {
    StreamingMerkleTree tree = new StreamingMerkleTree();
    tree.requestRootHash(1);
    tree.appendLeaf(new byte[] {7}, 0, 1);
    byte[] root = tree.rootHash(1);
    root[0] ^= 1;
    assertArrayEquals(MerkleHashes.leafHash(new byte[] {7}), tree.rootHash(1));
  }
}
