package org.medfed.crypto.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medfed.crypto.merkle.Rfc6962Vectors.CONSISTENCY_PROOFS;
import static org.medfed.crypto.merkle.Rfc6962Vectors.EMPTY_ROOT;
import static org.medfed.crypto.merkle.Rfc6962Vectors.ENTRIES;
import static org.medfed.crypto.merkle.Rfc6962Vectors.INCLUSION_PROOFS;
import static org.medfed.crypto.merkle.Rfc6962Vectors.ROOTS;
import static org.medfed.crypto.merkle.Rfc6962Vectors.SOME_HASH;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class MerkleVerifierTest {
  private static final int PROPERTY_TREE_SIZE = 300;
  private static final MerkleTree TREE = treeOfSize(PROPERTY_TREE_SIZE);

  // --- Published vectors (transparency-dev/merkle proof/verify_test.go) ---

  @Test
  void publishedInclusionProofsVerify() {
    for (Rfc6962Vectors.Inclusion v : INCLUSION_PROOFS) {
      byte[] leaf = MerkleHashes.leafHash(ENTRIES.get((int) v.index()));
      byte[] root = ROOTS.get((int) v.treeSize() - 1);
      assertDoesNotThrow(
          () -> MerkleVerifier.verifyInclusion(leaf, v.index(), v.treeSize(), v.proof(), root),
          "leaf " + v.index() + " of " + v.treeSize());
    }
  }

  @Test
  void rootFromPublishedInclusionProofIsThePublishedRoot() throws Exception {
    for (Rfc6962Vectors.Inclusion v : INCLUSION_PROOFS) {
      byte[] leaf = MerkleHashes.leafHash(ENTRIES.get((int) v.index()));
      assertArrayEquals(
          ROOTS.get((int) v.treeSize() - 1),
          MerkleVerifier.rootFromInclusionProof(leaf, v.index(), v.treeSize(), v.proof()));
    }
  }

  @Test
  void everyCorruptionOfAPublishedInclusionProofIsRejected() {
    for (Rfc6962Vectors.Inclusion v : INCLUSION_PROOFS) {
      byte[] leaf = MerkleHashes.leafHash(ENTRIES.get((int) v.index()));
      byte[] root = ROOTS.get((int) v.treeSize() - 1);
      Map<String, Executable> probes = new LinkedHashMap<>();
      long i = v.index();
      long n = v.treeSize();
      List<byte[]> p = v.proof();
      probes.put("index - 1", inclusion(leaf, i - 1, n, p, root));
      probes.put("index + 1", inclusion(leaf, i + 1, n, p, root));
      probes.put("index ^ 2", inclusion(leaf, i ^ 2, n, p, root));
      probes.put("size * 2", inclusion(leaf, i, n * 2, p, root));
      probes.put("size / 2", inclusion(leaf, i, n / 2, p, root));
      probes.put("wrong leaf", inclusion(SOME_HASH, i, n, p, root));
      probes.put("empty root", inclusion(leaf, i, n, p, EMPTY_ROOT));
      probes.put("random root", inclusion(leaf, i, n, p, SOME_HASH));
      probes.put("short leaf", inclusion(new byte[9], i, n, p, root));
      probes.put("trailing root", inclusion(leaf, i, n, append(p, root), root));
      probes.put("preceding root", inclusion(leaf, i, n, prepend(root, p), root));
      probes.put("trailing empty", inclusion(leaf, i, n, append(p, new byte[0]), root));
      for (int k = 0; k < p.size(); k++) {
        probes.put("proof[" + k + "] bit 3", inclusion(leaf, i, n, flip(p, k, 3), root));
      }
      if (!p.isEmpty()) {
        probes.put("removed last", inclusion(leaf, i, n, p.subList(0, p.size() - 1), root));
      }
      if (p.size() > 1) {
        List<byte[]> inserted = new ArrayList<>(p);
        inserted.add(1, SOME_HASH);
        probes.put("inserted component", inclusion(leaf, i, n, inserted, root));
      }
      probes.forEach(
          (what, probe) ->
              assertThrows(
                  VerificationException.class,
                  probe,
                  what + " for leaf " + i + " of " + n + " was accepted"));
    }
  }

  @Test
  void publishedConsistencyProofsVerify() {
    for (Rfc6962Vectors.Consistency v : CONSISTENCY_PROOFS) {
      byte[] oldRoot = ROOTS.get((int) v.oldSize() - 1);
      byte[] newRoot = ROOTS.get((int) v.newSize() - 1);
      assertDoesNotThrow(
          () ->
              MerkleVerifier.verifyConsistency(
                  v.oldSize(), v.newSize(), oldRoot, newRoot, v.proof()),
          v.oldSize() + " to " + v.newSize());
    }
  }

  @Test
  void everyCorruptionOfAPublishedConsistencyProofIsRejected() {
    for (Rfc6962Vectors.Consistency v : CONSISTENCY_PROOFS) {
      List<byte[]> p = v.proof();
      if (p.isEmpty()) {
        continue;
      }
      long m = v.oldSize();
      long n = v.newSize();
      byte[] r1 = ROOTS.get((int) m - 1);
      byte[] r2 = ROOTS.get((int) n - 1);
      Map<String, Executable> probes = new LinkedHashMap<>();
      probes.put("old size - 1", consistency(m - 1, n, r1, r2, p));
      probes.put("old size + 1", consistency(m + 1, n, r1, r2, p));
      probes.put("old size ^ 2", consistency(m ^ 2, n, r1, r2, p));
      probes.put("new size * 2", consistency(m, n * 2, r1, r2, p));
      probes.put("new size / 2", consistency(m, n / 2, r1, r2, p));
      probes.put("wrong old root", consistency(m, n, SOME_HASH, r2, p));
      probes.put("wrong new root", consistency(m, n, r1, SOME_HASH, p));
      probes.put("swapped roots", consistency(m, n, r2, r1, p));
      probes.put("empty proof", consistency(m, n, r1, r2, List.of()));
      probes.put("trailing old root", consistency(m, n, r1, r2, append(p, r1)));
      probes.put("trailing new root", consistency(m, n, r1, r2, append(p, r2)));
      probes.put("preceding old root", consistency(m, n, r1, r2, prepend(r1, p)));
      probes.put("preceding new root", consistency(m, n, r1, r2, prepend(r2, p)));
      probes.put("preceding proof[0]", consistency(m, n, r1, r2, prepend(p.getFirst(), p)));
      probes.put("truncated", consistency(m, n, r1, r2, p.subList(0, p.size() - 1)));
      for (int k = 0; k < p.size(); k++) {
        probes.put("proof[" + k + "] bit 4", consistency(m, n, r1, r2, flip(p, k, 4)));
      }
      probes.forEach(
          (what, probe) ->
              assertThrows(
                  VerificationException.class,
                  probe,
                  what + " for " + m + " to " + n + " was accepted"));
    }
  }

  // --- Boundaries beyond the RFC's 0 < old < new ---

  @Test
  void equalSizesAreConsistentOnlyWithEqualRootsAndAnEmptyProof() {
    byte[] root = ROOTS.get(3);
    assertDoesNotThrow(() -> MerkleVerifier.verifyConsistency(4, 4, root, root, List.of()));
    assertThrows(
        VerificationException.class,
        () -> MerkleVerifier.verifyConsistency(4, 4, root, ROOTS.get(4), List.of()));
    assertThrows(
        VerificationException.class,
        () -> MerkleVerifier.verifyConsistency(4, 4, root, root, List.of(root)));
  }

  @Test
  void emptyOldTreeIsConsistentWithAnyTreeOnlyUnderTheEmptyRoot() {
    assertDoesNotThrow(
        () -> MerkleVerifier.verifyConsistency(0, 8, EMPTY_ROOT, ROOTS.get(7), List.of()));
    assertDoesNotThrow(
        () -> MerkleVerifier.verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, List.of()));
    assertThrows(
        VerificationException.class,
        () -> MerkleVerifier.verifyConsistency(0, 8, SOME_HASH, ROOTS.get(7), List.of()));
    assertThrows(
        VerificationException.class,
        () -> MerkleVerifier.verifyConsistency(0, 8, EMPTY_ROOT, ROOTS.get(7), List.of(SOME_HASH)));
  }

  @Test
  void shrinkingTreeIsNeverConsistent() {
    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> MerkleVerifier.verifyConsistency(2, 1, ROOTS.get(1), ROOTS.get(0), List.of()));
    assertTrue(e.getMessage().contains("larger"), e.getMessage());
  }

  @Test
  void negativeSizesAndIndexesAreRejected() {
    byte[] leaf = MerkleHashes.leafHash(ENTRIES.get(0));
    assertThrows(
        VerificationException.class,
        () -> MerkleVerifier.verifyInclusion(leaf, -1, 8, List.of(), ROOTS.get(7)));
    assertThrows(
        VerificationException.class,
        () -> MerkleVerifier.verifyInclusion(leaf, 0, Long.MIN_VALUE, List.of(), ROOTS.get(7)));
    assertThrows(
        VerificationException.class,
        () -> MerkleVerifier.verifyConsistency(-1, 8, ROOTS.get(0), ROOTS.get(7), List.of()));
  }

  @Test
  void singleEntryTreeProvesItsLeafWithAnEmptyProof() {
    byte[] leaf = MerkleHashes.leafHash(new byte[] {42});
    assertDoesNotThrow(() -> MerkleVerifier.verifyInclusion(leaf, 0, 1, List.of(), leaf));
    assertThrows(
        VerificationException.class,
        () -> MerkleVerifier.verifyInclusion(leaf, 0, 1, List.of(), SOME_HASH));
    assertThrows(
        VerificationException.class,
        () -> MerkleVerifier.verifyInclusion(leaf, 0, 0, List.of(), leaf));
    assertThrows(
        VerificationException.class,
        () -> MerkleVerifier.verifyInclusion(leaf, 1, 1, List.of(), leaf));
  }

  @Test
  void failureMessageNamesTheExpectedProofLength() {
    byte[] leaf = MerkleHashes.leafHash(ENTRIES.get(0));
    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> MerkleVerifier.verifyInclusion(leaf, 0, 8, List.of(SOME_HASH), ROOTS.get(7)));
    assertEquals(
        "inclusion proof for leaf 0 in tree of size 8 must have 3 hashes, but has 1",
        e.getMessage());
  }

  @Test
  void hugeTreeSizesAreHandledWithoutOverflow() throws Exception {
    // A well-formed proof shape for the largest possible tree; it must compute, not loop or throw
    // anything but a root mismatch.
    long size = Long.MAX_VALUE;
    long index = size - 1;
    int length = MerkleVerifier.inclusionProofLength(index, size);
    List<byte[]> proof = new ArrayList<>();
    for (int k = 0; k < length; k++) {
      proof.add(SOME_HASH);
    }
    byte[] leaf = MerkleHashes.leafHash(new byte[0]);
    MerkleVerifier.rootFromInclusionProof(leaf, index, size, proof);
    assertThrows(
        VerificationException.class,
        () -> MerkleVerifier.verifyInclusion(leaf, index, size, proof, SOME_HASH));
  }

  // --- Checkpoint forms ---

  @Test
  void inclusionVerifiesAgainstACheckpointOfTheTree() {
    Checkpoint checkpoint = checkpoint("log", 8, ROOTS.get(7));
    Rfc6962Vectors.Inclusion v = INCLUSION_PROOFS.getFirst();
    byte[] leaf = MerkleHashes.leafHash(ENTRIES.get((int) v.index()));
    assertDoesNotThrow(
        () -> MerkleVerifier.verifyInclusion(leaf, v.index(), v.proof(), checkpoint));
    Checkpoint otherRoot = checkpoint("log", 8, ROOTS.get(6));
    assertThrows(
        VerificationException.class,
        () -> MerkleVerifier.verifyInclusion(leaf, v.index(), v.proof(), otherRoot));
  }

  @Test
  void checkpointsOfOneLogVerifyAsConsistent() {
    Rfc6962Vectors.Consistency v = CONSISTENCY_PROOFS.get(2);
    Checkpoint older = checkpoint("log", v.oldSize(), ROOTS.get((int) v.oldSize() - 1));
    Checkpoint newer = checkpoint("log", v.newSize(), ROOTS.get((int) v.newSize() - 1));
    assertDoesNotThrow(() -> MerkleVerifier.verifyConsistency(older, newer, v.proof()));
  }

  @Test
  void checkpointsOfDifferentLogsAreNeverConsistent() {
    Checkpoint older = checkpoint("log-a", 8, ROOTS.get(7));
    Checkpoint newer = checkpoint("log-b", 8, ROOTS.get(7));
    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> MerkleVerifier.verifyConsistency(older, newer, List.of()));
    assertTrue(e.getMessage().contains("different logs"), e.getMessage());
  }

  @Test
  void forkedHistoryShownToOneSiteIsDetected() throws Exception {
    // The operator shows one site the honest tree and another a tree with entry 5 replaced.
    MerkleTree honest = Rfc6962Vectors.referenceTree();
    MerkleTree forked = new MerkleTree();
    for (int i = 0; i < ENTRIES.size(); i++) {
      forked.append(i == 5 ? new byte[] {'x'} : ENTRIES.get(i));
    }
    Checkpoint seenBefore = checkpoint("log", 6, honest.rootHash(6));
    Checkpoint forkedNow = checkpoint("log", 8, forked.rootHash(8));
    assertThrows(
        VerificationException.class,
        () ->
            MerkleVerifier.verifyConsistency(seenBefore, forkedNow, forked.consistencyProof(6, 8)));
    assertThrows(
        VerificationException.class,
        () ->
            MerkleVerifier.verifyConsistency(seenBefore, forkedNow, honest.consistencyProof(6, 8)));
  }

  // --- Properties over a 300-entry tree ---

  @Property(tries = 300)
  void inclusionProofFromTheTreeVerifies(
      @ForAll @IntRange(min = 1, max = PROPERTY_TREE_SIZE) int size, @ForAll long indexSeed)
      throws Exception {
    long index = Math.floorMod(indexSeed, size);
    MerkleVerifier.verifyInclusion(
        TREE.leafHash(index), index, size, TREE.inclusionProof(index, size), TREE.rootHash(size));
  }

  @Property(tries = 500)
  void anyFlippedBitInLeafProofOrRootFailsInclusion(
      @ForAll @IntRange(min = 1, max = PROPERTY_TREE_SIZE) int size,
      @ForAll long indexSeed,
      @ForAll @IntRange(min = 0, max = 2) int target,
      @ForAll int bitSeed) {
    long index = Math.floorMod(indexSeed, size);
    byte[] leaf = TREE.leafHash(index);
    List<byte[]> proof = TREE.inclusionProof(index, size);
    byte[] root = TREE.rootHash(size);
    if (target == 1 && proof.isEmpty()) {
      target = 0;
    }
    switch (target) {
      case 0 -> leaf = flipBit(leaf, bitSeed);
      case 1 -> proof = flip(proof, Math.floorMod(bitSeed, proof.size()), bitSeed >>> 8);
      default -> root = flipBit(root, bitSeed);
    }
    byte[] finalLeaf = leaf;
    List<byte[]> finalProof = proof;
    byte[] finalRoot = root;
    assertThrows(
        VerificationException.class,
        () -> MerkleVerifier.verifyInclusion(finalLeaf, index, size, finalProof, finalRoot));
  }

  /**
   * A changed index or size must be judged exactly as the recursive definition judges it. A changed
   * index always fails (leaves here are distinct); a changed size can legitimately pass when both
   * sizes give the proof the same shape, which is why sizes must come from signed checkpoints.
   */
  @Property(tries = 1000)
  void flippedIndexOrSizeBitIsJudgedAsTheRecursiveDefinitionJudgesIt(
      @ForAll @IntRange(min = 1, max = PROPERTY_TREE_SIZE) int size,
      @ForAll long indexSeed,
      @ForAll boolean changeIndex,
      @ForAll @IntRange(min = 0, max = 63) int bit) {
    long index = Math.floorMod(indexSeed, size);
    byte[] leaf = TREE.leafHash(index);
    List<byte[]> proof = TREE.inclusionProof(index, size);
    byte[] root = TREE.rootHash(size);
    long claimedIndex = changeIndex ? index ^ (1L << bit) : index;
    long claimedSize = changeIndex ? size : size ^ (1L << bit);

    boolean expected = ReferenceTree.inclusionHolds(leaf, claimedIndex, claimedSize, proof, root);
    boolean accepted = accepts(inclusion(leaf, claimedIndex, claimedSize, proof, root));

    assertEquals(expected, accepted);
    if (changeIndex) {
      assertFalse(accepted, "changed index " + claimedIndex + " accepted");
    }
  }

  @Property(tries = 300)
  void consistencyProofFromTheTreeVerifies(
      @ForAll @IntRange(min = 0, max = PROPERTY_TREE_SIZE) int newSize, @ForAll long oldSeed)
      throws Exception {
    long oldSize = Math.floorMod(oldSeed, newSize + 1);
    MerkleVerifier.verifyConsistency(
        oldSize,
        newSize,
        TREE.rootHash(oldSize),
        TREE.rootHash(newSize),
        TREE.consistencyProof(oldSize, newSize));
  }

  @Property(tries = 500)
  void anyFlippedBitInProofOrRootsFailsConsistency(
      @ForAll @IntRange(min = 2, max = PROPERTY_TREE_SIZE) int newSize,
      @ForAll long oldSeed,
      @ForAll @IntRange(min = 0, max = 2) int target,
      @ForAll int bitSeed) {
    long oldSize = 1 + Math.floorMod(oldSeed, newSize - 1);
    byte[] oldRoot = TREE.rootHash(oldSize);
    byte[] newRoot = TREE.rootHash(newSize);
    List<byte[]> proof = TREE.consistencyProof(oldSize, newSize);
    switch (target) {
      case 0 -> oldRoot = flipBit(oldRoot, bitSeed);
      case 1 -> newRoot = flipBit(newRoot, bitSeed);
      default -> proof = flip(proof, Math.floorMod(bitSeed, proof.size()), bitSeed >>> 8);
    }
    assertFalse(accepts(consistency(oldSize, newSize, oldRoot, newRoot, proof)));
  }

  @Property(tries = 1000)
  void flippedSizeBitInConsistencyIsJudgedAsTheRecursiveDefinitionJudgesIt(
      @ForAll @IntRange(min = 2, max = PROPERTY_TREE_SIZE) int newSize,
      @ForAll long oldSeed,
      @ForAll boolean changeOld,
      @ForAll @IntRange(min = 0, max = 63) int bit) {
    long oldSize = 1 + Math.floorMod(oldSeed, newSize - 1);
    byte[] oldRoot = TREE.rootHash(oldSize);
    byte[] newRoot = TREE.rootHash(newSize);
    List<byte[]> proof = TREE.consistencyProof(oldSize, newSize);
    long claimedOld = changeOld ? oldSize ^ (1L << bit) : oldSize;
    long claimedNew = changeOld ? newSize : newSize ^ (1L << bit);

    boolean expected =
        ReferenceTree.consistencyHolds(claimedOld, claimedNew, oldRoot, newRoot, proof);
    boolean accepted = accepts(consistency(claimedOld, claimedNew, oldRoot, newRoot, proof));

    assertEquals(expected, accepted);
  }

  @Property(tries = 200)
  void rootFromARandomProofInAHugeTreeAgreesWithTheRecursiveDefinition(
      @ForAll @LongRange(min = 1, max = 1L << 40) long size,
      @ForAll long indexSeed,
      @ForAll byte[] seed) {
    long index = Math.floorMod(indexSeed, size);
    List<byte[]> proof = new ArrayList<>();
    for (int k = 0; k < MerkleVerifier.inclusionProofLength(index, size); k++) {
      proof.add(
          MerkleHashes.leafHash(ByteBuffer.allocate(4 + seed.length).putInt(k).put(seed).array()));
    }
    byte[] leaf = MerkleHashes.leafHash(seed);
    byte[] expected = rootOrNull(leaf, index, size, proof);
    assertTrue(ReferenceTree.inclusionHolds(leaf, index, size, proof, expected));
  }

  // --- helpers ---

  private static byte[] rootOrNull(byte[] leaf, long index, long size, List<byte[]> proof) {
    try {
      return MerkleVerifier.rootFromInclusionProof(leaf, index, size, proof);
    } catch (VerificationException e) {
      return null;
    }
  }

  private static Checkpoint checkpoint(String origin, long size, byte[] root) {
    return new Checkpoint(origin, size, root, Instant.ofEpochMilli(1_800_000_000_000L));
  }

  private static MerkleTree treeOfSize(int size) {
    MerkleTree tree = new MerkleTree();
    for (int i = 0; i < size; i++) {
      tree.append(ByteBuffer.allocate(4).putInt(i).array());
    }
    return tree;
  }

  private static Executable inclusion(
      byte[] leaf, long index, long size, List<byte[]> proof, byte[] root) {
    return () -> MerkleVerifier.verifyInclusion(leaf, index, size, proof, root);
  }

  private static Executable consistency(
      long oldSize, long newSize, byte[] oldRoot, byte[] newRoot, List<byte[]> proof) {
    return () -> MerkleVerifier.verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof);
  }

  /** Only a VerificationException counts as a rejection; anything else is a bug and propagates. */
  private static boolean accepts(Executable check) {
    try {
      check.execute();
      return true;
    } catch (VerificationException e) {
      return false;
    } catch (Throwable t) {
      throw new AssertionError("verifier threw " + t, t);
    }
  }

  private static List<byte[]> append(List<byte[]> proof, byte[] hash) {
    List<byte[]> result = new ArrayList<>(proof);
    result.add(hash);
    return result;
  }

  private static List<byte[]> prepend(byte[] hash, List<byte[]> proof) {
    List<byte[]> result = new ArrayList<>();
    result.add(hash);
    result.addAll(proof);
    return result;
  }

  private static List<byte[]> flip(List<byte[]> proof, int element, int bit) {
    List<byte[]> result = new ArrayList<>(proof);
    result.set(element, flipBit(proof.get(element), bit));
    return result;
  }

  private static byte[] flipBit(byte[] hash, int seed) {
    byte[] copy = hash.clone();
    int bit = Math.floorMod(seed, copy.length * 8);
    copy[bit / 8] ^= (byte) (1 << (bit % 8));
    return copy;
  }
}
