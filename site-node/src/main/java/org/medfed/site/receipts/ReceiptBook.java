package org.medfed.site.receipts;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.medfed.crypto.merkle.Checkpoint;
import org.medfed.crypto.merkle.MerkleHashes;
import org.medfed.crypto.merkle.MerkleVerifier;
import org.medfed.crypto.merkle.SignedCheckpoint;
import org.medfed.crypto.pki.PartyIdentity;
import org.medfed.crypto.pki.PartyRole;
import org.medfed.crypto.sign.Signatures;
import org.medfed.proto.v1.GetReceiptsResponse;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.Receipt;
import org.medfed.proto.v1.SignedTreeHead;

/**
 * The site's own proof of what the coordinator logged about it: every tree head it has verified
 * ({@code receipts/heads.txt}) and every receipted entry ({@code receipts/receipts.txt}). Each new
 * head must be signed by a coordinator certificate from the consortium CA and must extend the last
 * head this site saw, so a coordinator that shows different histories to different sites (or
 * rewrites its own) is caught by the first site it lies to.
 */
public final class ReceiptBook {
  private final Path heads;
  private final Path receipts;
  private final X509Certificate ca;
  private Checkpoint lastHead;
  private long nextIndex;

  /** Opens the book in {@code stateDir/receipts}, reloading the last verified head. */
  public ReceiptBook(Path stateDir, X509Certificate ca) {
    Path folder = stateDir.resolve("receipts");
    this.heads = folder.resolve("heads.txt");
    this.receipts = folder.resolve("receipts.txt");
    this.ca = ca;
    try {
      Files.createDirectories(folder);
      if (Files.exists(heads)) {
        List<String> lines = Files.readAllLines(heads);
        if (!lines.isEmpty()) {
          String[] last = lines.getLast().split(" ");
          lastHead = Checkpoint.parse(Base64.getDecoder().decode(last[0]));
          nextIndex = Long.parseLong(last[2]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the receipts in " + folder, e);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalStateException(
          "the receipts file " + heads + " is damaged: " + e.getMessage(), e);
    }
  }

  /** The size of the last verified tree head, 0 before the first. */
  public long knownTreeSize() {
    return lastHead == null ? 0 : lastHead.treeSize();
  }

  /** Entries before this index are receipted. */
  public long nextIndex() {
    return nextIndex;
  }

  /**
   * Verifies a receipts response and records it.
   *
   * @return how many entries were receipted
   * @throws ReceiptException when anything fails to verify; nothing is recorded then
   */
  public int accept(GetReceiptsResponse response, String siteId) throws ReceiptException {
    X509Certificate coordinator = coordinatorCertificate(response.getCoordinatorCertificate());
    SignedCheckpoint head = signedHead(response.getSignedTreeHead(), coordinator);
    Checkpoint checkpoint = head.checkpoint();
    try {
      if (lastHead != null) {
        MerkleVerifier.verifyConsistency(
            lastHead, checkpoint, bytes(response.getConsistencyProofList()));
      }
    } catch (GeneralSecurityException e) {
      throw new ReceiptException(
          "the coordinator's log of size "
              + checkpoint.treeSize()
              + " does not extend the one of size "
              + knownTreeSize()
              + " it showed this site before (a forked or rewritten history): "
              + e.getMessage(),
          e);
    }
    long next = nextIndex;
    StringBuilder lines = new StringBuilder();
    for (Receipt receipt : response.getReceiptsList()) {
      if (receipt.getIndex() < next || receipt.getIndex() >= checkpoint.treeSize()) {
        throw new ReceiptException(
            "receipt for entry " + receipt.getIndex() + " is out of order or beyond the head");
      }
      byte[] entry = receipt.getEntry().toByteArray();
      LogEntry parsed = parse(entry, receipt.getIndex());
      if (!parsed.hasMessage()
          || !(parsed.getMessage().getSender().equals(siteId)
              || parsed.getMessage().getReceiver().equals(siteId))) {
        throw new ReceiptException(
            "receipt for entry " + receipt.getIndex() + " is not about this site");
      }
      try {
        MerkleVerifier.verifyInclusion(
            MerkleHashes.leafHash(entry),
            receipt.getIndex(),
            bytes(receipt.getInclusionProofList()),
            checkpoint);
      } catch (GeneralSecurityException e) {
        throw new ReceiptException(
            "entry " + receipt.getIndex() + " is not in the signed log: " + e.getMessage(), e);
      }
      lines
          .append(receipt.getIndex())
          .append(' ')
          .append(parsed.getMessage().getRpc())
          .append(' ')
          .append(Base64.getEncoder().encodeToString(entry))
          .append(' ')
          .append(checkpoint.treeSize())
          .append('\n');
      next = receipt.getIndex() + 1;
    }
    record(lines.toString(), head, next);
    lastHead = checkpoint;
    nextIndex = next;
    return response.getReceiptsCount();
  }

  private void record(String receiptLines, SignedCheckpoint head, long next) {
    try {
      if (!receiptLines.isEmpty()) {
        Files.writeString(
            receipts,
            receiptLines,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND,
            StandardOpenOption.SYNC);
      }
      Files.writeString(
          heads,
          Base64.getEncoder().encodeToString(head.checkpoint().encode())
              + " "
              + Base64.getEncoder().encodeToString(head.signature())
              + " "
              + next
              + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.SYNC);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record receipts", e);
    }
  }

  private X509Certificate coordinatorCertificate(ByteString der) throws ReceiptException {
    try {
      X509Certificate certificate =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der.toByteArray()));
      certificate.verify(ca.getPublicKey());
      if (PartyIdentity.of(certificate).role() != PartyRole.COORDINATOR) {
        throw new ReceiptException("the tree head's signer is not a coordinator certificate");
      }
      return certificate;
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new ReceiptException(
          "the coordinator certificate does not come from this site's consortium CA: "
              + e.getMessage(),
          e);
    }
  }

  private static SignedCheckpoint signedHead(ByteString bytes, X509Certificate signer)
      throws ReceiptException {
    try {
      SignedTreeHead head = SignedTreeHead.parseFrom(bytes);
      SignedCheckpoint signed =
          new SignedCheckpoint(
              Checkpoint.parse(head.getCheckpoint().toByteArray()),
              head.getSignature().toByteArray());
      signed.verify(Signatures.verifier(signer));
      return signed;
    } catch (InvalidProtocolBufferException e) {
      throw new ReceiptException("the signed tree head is malformed", e);
    } catch (GeneralSecurityException e) {
      throw new ReceiptException("the tree head's signature does not verify: " + e.getMessage(), e);
    }
  }

  private static LogEntry parse(byte[] entry, long index) throws ReceiptException {
    try {
      return LogEntry.parseFrom(entry);
    } catch (InvalidProtocolBufferException e) {
      throw new ReceiptException("receipt for entry " + index + " holds no log entry", e);
    }
  }

  private static List<byte[]> bytes(List<ByteString> hashes) {
    return hashes.stream().map(ByteString::toByteArray).toList();
  }
}
