package org.medfed.auditor;

import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.stream.IntStream;
import org.medfed.auditor.LogAuditor.AuditedHead;
import org.medfed.crypto.merkle.Checkpoint;
import org.medfed.crypto.merkle.MerkleVerifier;
import org.medfed.crypto.merkle.SignedCheckpoint;
import org.medfed.crypto.merkle.StreamingMerkleTree;
import org.medfed.crypto.merkle.VerificationException;
import org.medfed.crypto.sign.Verifier;

/**
 * {@code tree-heads}: every signed tree head is a canonical checkpoint of this log's origin, signed
 * by the coordinator whose identity was verified; sizes never shrink and time never goes back; each
 * head's root equals the RFC 9162 root recomputed from the first {@code treeSize} entries as
 * stored; successive heads are consistent (by a consistency proof built from the log and checked
 * with {@link MerkleVerifier}, which the root comparison already implies but which exercises the
 * proof format a site uses); and the latest head covers the log, except for entries appended after
 * it, which are a warning.
 */
final class TreeHeadCheck {
  static final String NAME = "tree-heads";

  private TreeHeadCheck() {}

  /**
   * The heads with their checkpoints decoded (or why not): made before the entries are read, so
   * that the one pass over them computes the roots and consistency proofs {@link #run} compares.
   */
  static final class Plan {
    private final List<AuditedHead> heads;
    private final List<Checkpoint> checkpoints = new ArrayList<>();
    private final List<VerificationException> malformed = new ArrayList<>();

    private Plan(List<AuditedHead> heads) {
      this.heads = heads;
      for (AuditedHead audited : heads) {
        try {
          checkpoints.add(Checkpoint.parse(audited.head().getCheckpoint().toByteArray()));
          malformed.add(null);
        } catch (VerificationException e) {
          checkpoints.add(null);
          malformed.add(e);
        }
      }
    }

    /**
     * Asks {@code tree} for every root {@link #run} compares and every proof it checks, leaving out
     * tree sizes above {@code maxEntries}, which the log cannot reach ({@link #run} reports those
     * heads without a root or proof).
     */
    void request(StreamingMerkleTree tree, long maxEntries) {
      Checkpoint previous = null;
      for (Checkpoint checkpoint : checkpoints) {
        if (checkpoint == null) {
          continue;
        }
        long size = checkpoint.treeSize();
        if (size <= maxEntries) {
          tree.requestRootHash(size);
          if (previous != null && size >= previous.treeSize()) {
            tree.requestConsistencyProof(previous.treeSize(), size);
          }
        }
        previous = checkpoint;
      }
    }
  }

  static Plan plan(List<AuditedHead> heads) {
    return new Plan(heads);
  }

  /**
   * Runs the check over the heads of {@code plan}; {@code tree} has been given every entry after
   * {@link Plan#request}.
   *
   * @param signatureValid from {@link #verifySignatures}, with this identity's key or the one it
   *     had before the rest of the log withdrew the trust
   */
  static CheckResult run(
      Plan plan,
      StreamingMerkleTree tree,
      IdentityCheck.Result identity,
      boolean[] signatureValid) {
    List<AuditedHead> heads = plan.heads;
    List<Finding> failures = new ArrayList<>();
    List<Finding> warnings = new ArrayList<>();
    long entries = tree.size();
    if (!identity.trusted()) {
      failures.add(
          Finding.of(
              "no tree head can be trusted: the coordinator's identity did not verify (see "
                  + IdentityCheck.NAME
                  + ")"));
    }
    if (heads.isEmpty()) {
      failures.add(
          Finding.of(
              "tree-heads.log holds no signed tree head: none of the "
                  + entries
                  + " entries is authenticated"));
    }
    Checkpoint previous = null;
    long previousIndex = -1;
    long matching = 0;
    for (int i = 0; i < heads.size(); i++) {
      AuditedHead audited = heads.get(i);
      long index = audited.record().index();
      long offset = audited.record().offset();
      Checkpoint checkpoint = plan.checkpoints.get(i);
      if (checkpoint == null) {
        failures.add(
            Finding.atHead(
                "not a canonical checkpoint: " + plan.malformed.get(i).getMessage(),
                index,
                offset,
                null));
        continue;
      }
      long size = checkpoint.treeSize();
      if (identity.trusted()) {
        if (!signatureValid[i]) {
          failures.add(
              Finding.atHead(
                  "signature does not verify with the coordinator's certificate",
                  index,
                  offset,
                  size));
        }
        X509Certificate certificate = identity.certificate().orElseThrow();
        try {
          certificate.checkValidity(Date.from(checkpoint.timestamp()));
        } catch (CertificateException e) {
          failures.add(
              Finding.atHead(
                  "signed at "
                      + checkpoint.timestamp()
                      + ", outside the coordinator certificate's validity",
                  index,
                  offset,
                  size));
        }
      }
      if (!checkpoint.origin().equals(identity.origin())) {
        failures.add(
            Finding.atHead(
                "origin \""
                    + checkpoint.origin()
                    + "\" is not the log's origin \""
                    + identity.origin()
                    + "\" from LogOpened",
                index,
                offset,
                size));
      }
      if (checkpoint.timestamp().isBefore(identity.openedAt())) {
        failures.add(
            Finding.atHead(
                "signed at " + checkpoint.timestamp() + ", before the log was opened",
                index,
                offset,
                size));
      }
      if (size > entries) {
        failures.add(
            Finding.atHead(
                "commits to "
                    + size
                    + " entries but the log holds only "
                    + entries
                    + ": entries were removed or the log was cut",
                index,
                offset,
                size));
      } else {
        byte[] root = tree.rootHash(size);
        if (MessageDigest.isEqual(root, checkpoint.rootHash())) {
          matching = Math.max(matching, size);
        } else {
          String where =
              matching < size
                  ? "; the heads that match cover "
                      + matching
                      + " entries, so the change lies in entries "
                      + matching
                      + ".."
                      + (size - 1)
                  : "";
          failures.add(
              Finding.atHead(
                  "root hash "
                      + base64(checkpoint.rootHash())
                      + " differs from "
                      + base64(root)
                      + " recomputed over entries 0.."
                      + (size - 1)
                      + ": the log's history differs from what was signed"
                      + where,
                  index,
                  offset,
                  size));
        }
      }
      if (previous != null) {
        compare(previous, previousIndex, checkpoint, index, offset, tree, failures);
      }
      previous = checkpoint;
      previousIndex = index;
    }
    long latest = previous == null ? 0 : previous.treeSize();
    if (previous != null && latest < entries) {
      warnings.add(
          new Finding(
              (entries - latest)
                  + " entries ("
                  + latest
                  + ".."
                  + (entries - 1)
                  + ") were appended after the latest signed tree head and are not covered by any"
                  + " signature; their integrity rests on CRCs alone",
              LogFiles.EXCHANGE_LOG,
              latest,
              null,
              null,
              latest));
    }
    String summary =
        heads.size()
            + " signed tree heads; the latest covers "
            + Math.min(latest, entries)
            + " of "
            + entries
            + " entries";
    return CheckResult.of(NAME, summary, failures, warnings);
  }

  private static void compare(
      Checkpoint older,
      long olderIndex,
      Checkpoint newer,
      long index,
      long offset,
      StreamingMerkleTree tree,
      List<Finding> failures) {
    long size = newer.treeSize();
    if (size < older.treeSize()) {
      failures.add(
          Finding.atHead(
              "tree size "
                  + size
                  + " is smaller than "
                  + older.treeSize()
                  + " of the previous head "
                  + olderIndex
                  + ": a log never shrinks",
              index,
              offset,
              size));
      return;
    }
    if (newer.timestamp().isBefore(older.timestamp())) {
      failures.add(
          Finding.atHead(
              "timestamp "
                  + newer.timestamp()
                  + " is before "
                  + older.timestamp()
                  + " of the previous head "
                  + olderIndex,
              index,
              offset,
              size));
    }
    if (size > tree.size()) {
      return;
    }
    try {
      List<byte[]> proof = tree.consistencyProof(older.treeSize(), size);
      MerkleVerifier.verifyConsistency(older, newer, proof);
    } catch (VerificationException e) {
      failures.add(
          Finding.atHead(
              "not consistent with head "
                  + olderIndex
                  + " (tree size "
                  + older.treeSize()
                  + ") by the consistency proof from this log: "
                  + e.getMessage(),
              index,
              offset,
              size));
    }
  }

  /**
   * Whether each head's signature verifies with the coordinator's key, checked in parallel (the
   * key's verifier is thread-safe); false for heads that are not canonical checkpoints or when the
   * coordinator's identity is not trusted (those are reported on their own). Needs only the log's
   * first entry, so it runs while the rest of the log is read.
   */
  static boolean[] verifySignatures(Plan plan, IdentityCheck.Result identity) {
    List<AuditedHead> heads = plan.heads;
    boolean[] valid = new boolean[heads.size()];
    if (!identity.trusted()) {
      return valid;
    }
    Verifier verifier = identity.verifier().orElseThrow();
    IntStream.range(0, heads.size())
        .parallel()
        .forEach(
            i -> {
              Checkpoint checkpoint = plan.checkpoints.get(i);
              if (checkpoint == null) {
                return;
              }
              try {
                new SignedCheckpoint(checkpoint, heads.get(i).head().getSignature().toByteArray())
                    .verify(verifier);
                valid[i] = true;
              } catch (VerificationException | IllegalArgumentException e) {
                valid[i] = false;
              }
            });
    return valid;
  }

  private static String base64(byte[] hash) {
    return Base64.getEncoder().encodeToString(hash);
  }
}
