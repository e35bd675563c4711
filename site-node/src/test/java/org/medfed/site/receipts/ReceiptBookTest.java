package org.medfed.site.receipts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.crypto.merkle.Checkpoint;
import org.medfed.crypto.merkle.MerkleTree;
import org.medfed.crypto.merkle.SignedCheckpoint;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.sign.Signatures;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.GetReceiptsResponse;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.Receipt;
import org.medfed.proto.v1.SignedTreeHead;

class ReceiptBookTest {
  @TempDir Path state;
  private final CertificateAuthority ca = CertificateAuthority.create("t", Duration.ofDays(1));
  private final IssuedCredential coordinator =
      ca.issueCoordinator("coordinator", List.of("localhost"), List.of(), Duration.ofDays(1));

  private static byte[] entry(String sender, String note) {
    return LogEntry.newBuilder()
        .setStudyId(note)
        .setMessage(
            ExchangedMessage.newBuilder()
                .setRpc("PushUpdate")
                .setSender(sender)
                .setReceiver("coordinator"))
        .build()
        .toByteArray();
  }

  private static MerkleTree log(String note, int size) {
    MerkleTree tree = new MerkleTree();
    for (int i = 0; i < size; i++) {
      tree.append(entry("hungary", note + i));
    }
    return tree;
  }

  private GetReceiptsResponse response(
      MerkleTree tree, String note, long size, long knownSize, long from, IssuedCredential signer)
      throws Exception {
    SignedCheckpoint head =
        SignedCheckpoint.sign(
            new Checkpoint("coordinator/exchange-log", size, tree.rootHash(size), Instant.now()),
            Signatures.signer(signer.privateKey()));
    GetReceiptsResponse.Builder response =
        GetReceiptsResponse.newBuilder()
            .setSignedTreeHead(
                SignedTreeHead.newBuilder()
                    .setCheckpoint(ByteString.copyFrom(head.checkpoint().encode()))
                    .setSignature(ByteString.copyFrom(head.signature()))
                    .build()
                    .toByteString())
            .setCoordinatorCertificate(ByteString.copyFrom(signer.certificate().getEncoded()));
    if (knownSize > 0) {
      tree.consistencyProof(knownSize, size)
          .forEach(p -> response.addConsistencyProof(ByteString.copyFrom(p)));
    }
    for (long i = from; i < size; i++) {
      Receipt.Builder receipt =
          Receipt.newBuilder()
              .setIndex(i)
              .setEntry(ByteString.copyFrom(entry("hungary", note + i)));
      tree.inclusionProof(i, size).forEach(p -> receipt.addInclusionProof(ByteString.copyFrom(p)));
      response.addReceipts(receipt);
    }
    return response.build();
  }

  @Test
  void honestGrowingLogIsReceiptedAndRemembered() throws Exception {
    ReceiptBook book = new ReceiptBook(state, ca.certificate());
    MerkleTree tree = log("a", 6);
    assertEquals(3, book.accept(response(tree, "a", 3, 0, 0, coordinator), "hungary"));
    assertEquals(3, book.accept(response(tree, "a", 6, 3, 3, coordinator), "hungary"));
    ReceiptBook reopened = new ReceiptBook(state, ca.certificate());
    assertEquals(6, reopened.knownTreeSize());
    assertEquals(6, reopened.nextIndex());
  }

  @Test
  void forkedHistoryShownToThisSiteIsDetected() throws Exception {
    ReceiptBook book = new ReceiptBook(state, ca.certificate());
    book.accept(response(log("a", 3), "a", 3, 0, 0, coordinator), "hungary");
    // A coordinator showing this site a different history (entries rewritten) that still grows.
    ReceiptException fork =
        assertThrows(
            ReceiptException.class,
            () -> book.accept(response(log("b", 6), "b", 6, 3, 3, coordinator), "hungary"));
    assertTrue(fork.getMessage().contains("does not extend"), fork.getMessage());
    assertEquals(3, book.knownTreeSize(), "nothing recorded from the forked head");
  }

  @Test
  void treeHeadSignedOutsideTheConsortiumIsRefused() throws Exception {
    CertificateAuthority rogue = CertificateAuthority.create("rogue", Duration.ofDays(1));
    IssuedCredential impostor =
        rogue.issueCoordinator("coordinator", List.of("localhost"), List.of(), Duration.ofDays(1));
    ReceiptException refused =
        assertThrows(
            ReceiptException.class,
            () ->
                new ReceiptBook(state, ca.certificate())
                    .accept(response(log("a", 2), "a", 2, 0, 0, impostor), "hungary"));
    assertTrue(refused.getMessage().contains("consortium CA"), refused.getMessage());
  }

  @Test
  void receiptForAnotherSitesEntryIsRefused() throws Exception {
    ReceiptException refused =
        assertThrows(
            ReceiptException.class,
            () ->
                new ReceiptBook(state, ca.certificate())
                    .accept(response(log("a", 2), "a", 2, 0, 0, coordinator), "cleveland"));
    assertTrue(refused.getMessage().contains("not about this site"), refused.getMessage());
  }
}
