package org.medfed.crypto.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medfed.crypto.merkle.Rfc6962Vectors.CONSISTENCY_PROOFS;
import static org.medfed.crypto.merkle.Rfc6962Vectors.EMPTY_ROOT;
import static org.medfed.crypto.merkle.Rfc6962Vectors.ENTRIES;
import static org.medfed.crypto.merkle.Rfc6962Vectors.INCLUSION_PROOFS;
import static org.medfed.crypto.merkle.Rfc6962Vectors.ROOTS;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {
  private static final int BRUTE_FORCE_MAX_SIZE = 64;

  @Test
  void rootsAtSizesOneToEightMatchPublishedVectors() {
    MerkleTree tree = new MerkleTree();
    for (int n = 1; n <= ENTRIES.size(); n++) {
      tree.append(ENTRIES.get(n - 1));
      assertArrayEquals(ROOTS.get(n - 1), tree.rootHash(), "root of size " + n);
    }
  }

  @Test
  void earlierRootsStayAvailableAfterMoreAppends() {
    MerkleTree tree = Rfc6962Vectors.referenceTree();
    for (int n = 1; n <= ENTRIES.size(); n++) {
      assertArrayEquals(ROOTS.get(n - 1), tree.rootHash(n), "root of size " + n);
    }
  }

  @Test
  void inclusionProofsMatchPublishedVectors() {
    MerkleTree tree = Rfc6962Vectors.referenceTree();
    for (Rfc6962Vectors.Inclusion vector : INCLUSION_PROOFS) {
      assertProofEquals(
          vector.proof(),
          tree.inclusionProof(vector.index(), vector.treeSize()),
          "leaf " + vector.index() + " of " + vector.treeSize());
    }
  }

  @Test
  void consistencyProofsMatchPublishedVectors() {
    MerkleTree tree = Rfc6962Vectors.referenceTree();
    for (Rfc6962Vectors.Consistency vector : CONSISTENCY_PROOFS) {
      assertProofEquals(
          vector.proof(),
          tree.consistencyProof(vector.oldSize(), vector.newSize()),
          vector.oldSize() + " to " + vector.newSize());
    }
  }

  @Test
  void emptyTreeHasTheEmptyRoot() {
    MerkleTree tree = new MerkleTree();
    assertEquals(0, tree.size());
    assertArrayEquals(EMPTY_ROOT, tree.rootHash());
    assertArrayEquals(EMPTY_ROOT, Rfc6962Vectors.referenceTree().rootHash(0));
  }

  @Test
  void appendReturnsConsecutiveIndexes() {
    MerkleTree tree = new MerkleTree();
    assertEquals(0, tree.append(new byte[] {1}));
    assertEquals(1, tree.appendLeafHash(MerkleHashes.leafHash(new byte[] {2})));
    assertEquals(2, tree.append(new byte[] {3}));
    assertEquals(3, tree.size());
  }

  @Test
  void appendingAnEntryAndAppendingItsLeafHashGiveTheSameTree() {
    MerkleTree byEntry = Rfc6962Vectors.referenceTree();
    MerkleTree byHash = new MerkleTree();
    ENTRIES.forEach(entry -> byHash.appendLeafHash(MerkleHashes.leafHash(entry)));
    assertArrayEquals(byEntry.rootHash(), byHash.rootHash());
    assertArrayEquals(MerkleHashes.leafHash(ENTRIES.get(3)), byHash.leafHash(3));
  }

  @Test
  void changingAnAppendedOrReturnedArrayDoesNotChangeTheTree() {
    MerkleTree tree = new MerkleTree();
    byte[] leafHash = MerkleHashes.leafHash(new byte[] {7});
    tree.appendLeafHash(leafHash);
    byte[] root = tree.rootHash();
    leafHash[0] ^= 1;
    tree.leafHash(0)[0] ^= 1;
    tree.rootHash()[0] ^= 1;
    assertArrayEquals(root, tree.rootHash());
  }

  @Test
  void leafHashOfWrongLengthIsRefused() {
    MerkleTree tree = new MerkleTree();
    assertThrows(IllegalArgumentException.class, () -> tree.appendLeafHash(new byte[31]));
    assertEquals(0, tree.size());
  }

  @Test
  void requestsBeyondTheTreeAreRefused() {
    MerkleTree tree = Rfc6962Vectors.referenceTree();
    assertThrows(IllegalArgumentException.class, () -> tree.rootHash(9));
    assertThrows(IllegalArgumentException.class, () -> tree.rootHash(-1));
    assertThrows(IllegalArgumentException.class, () -> tree.inclusionProof(8, 8));
    assertThrows(IllegalArgumentException.class, () -> tree.inclusionProof(0, 9));
    assertThrows(IllegalArgumentException.class, () -> tree.inclusionProof(-1, 8));
    assertThrows(IllegalArgumentException.class, () -> tree.inclusionProof(0, 0));
    assertThrows(IllegalArgumentException.class, () -> tree.consistencyProof(5, 4));
    assertThrows(IllegalArgumentException.class, () -> tree.consistencyProof(-1, 4));
    assertThrows(IllegalArgumentException.class, () -> tree.consistencyProof(4, 9));
    assertThrows(IllegalArgumentException.class, () -> tree.leafHash(8));
  }

  @Test
  void everyRootAndProofUpToSize64MatchesTheRecursiveDefinition() throws Exception {
    List<byte[]> leaves = new ArrayList<>();
    MerkleTree tree = new MerkleTree();
    for (int i = 0; i < BRUTE_FORCE_MAX_SIZE; i++) {
      byte[] entry = ByteBuffer.allocate(4).putInt(i).array();
      leaves.add(ReferenceTree.leaf(entry));
      tree.append(entry);
    }
    int checked = 0;
    for (int n = 1; n <= BRUTE_FORCE_MAX_SIZE; n++) {
      List<byte[]> prefix = leaves.subList(0, n);
      byte[] root = ReferenceTree.mth(prefix);
      assertArrayEquals(root, tree.rootHash(n), "root of size " + n);
      for (int i = 0; i < n; i++) {
        List<byte[]> proof = tree.inclusionProof(i, n);
        assertProofEquals(ReferenceTree.path(i, prefix), proof, "leaf " + i + " of " + n);
        MerkleVerifier.verifyInclusion(leaves.get(i), i, n, proof, root);
        checked++;
      }
      for (int m = 0; m <= n; m++) {
        List<byte[]> proof = tree.consistencyProof(m, n);
        assertProofEquals(ReferenceTree.proof(m, prefix), proof, m + " to " + n);
        MerkleVerifier.verifyConsistency(m, n, tree.rootHash(m), root, proof);
        checked++;
      }
    }
    // 64·65/2 inclusion proofs and 65·66/2 − 1 consistency proofs.
    assertEquals(2080 + 2144, checked);
  }

  @Test
  void proofsInALargeTreeMatchTheRecursiveDefinition() throws Exception {
    int size = 5_000;
    List<byte[]> leaves = new ArrayList<>();
    MerkleTree tree = new MerkleTree();
    for (int i = 0; i < size; i++) {
      byte[] entry = ByteBuffer.allocate(4).putInt(i).array();
      leaves.add(ReferenceTree.leaf(entry));
      tree.append(entry);
    }
    for (int n : new int[] {4096, 4097, 4999, 5000}) {
      List<byte[]> prefix = leaves.subList(0, n);
      for (int i : new int[] {0, 1, 2047, 4095, n - 1}) {
        assertProofEquals(ReferenceTree.path(i, prefix), tree.inclusionProof(i, n), i + "/" + n);
      }
      for (int m : new int[] {1, 3, 1024, 4095, n - 1}) {
        assertProofEquals(ReferenceTree.proof(m, prefix), tree.consistencyProof(m, n), m + "→" + n);
      }
    }
  }

  @Test
  void treeBuiltConcurrentlyEqualsTheSameTreeBuiltInOrder() throws Exception {
    MerkleTree tree = new MerkleTree();
    int threads = 4;
    int perThread = 2_000;
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < perThread; i++) {
                      tree.appendLeafHash(MerkleHashes.leafHash(new byte[] {9}));
                    }
                  }));
    }
    for (Thread worker : workers) {
      worker.join();
    }
    MerkleTree sequential = new MerkleTree();
    for (int i = 0; i < threads * perThread; i++) {
      sequential.append(new byte[] {9});
    }
    assertEquals(threads * perThread, tree.size());
    assertArrayEquals(sequential.rootHash(), tree.rootHash());
  }

  static void assertProofEquals(List<byte[]> expected, List<byte[]> actual, String what) {
    assertEquals(expected.size(), actual.size(), "proof length for " + what);
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), "hash " + i + " of proof for " + what);
    }
    assertTrue(actual.stream().allMatch(h -> h.length == MerkleHashes.HASH_SIZE));
  }
}
