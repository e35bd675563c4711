package org.medfed.crypto.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.sign.Signatures;
import org.medfed.crypto.sign.Signer;
import org.medfed.crypto.sign.Verifier;

class SignedCheckpointTest {
  private static final Duration YEAR = Duration.ofDays(365);
  private static final CertificateAuthority CA = CertificateAuthority.create("heart-study", YEAR);
  private static final IssuedCredential COORDINATOR =
      CA.issueCoordinator("coordinator", List.of("localhost"), List.of(), YEAR);
  private static final IssuedCredential SITE = CA.issueSite("charite", YEAR);
  private static final Checkpoint CHECKPOINT =
      new Checkpoint(
          "medfed.example/heart-study",
          8,
          Rfc6962Vectors.ROOTS.get(7),
          Instant.parse("2026-11-22T02:30:00Z"));

  @Test
  void checkpointSignedByTheCoordinatorVerifiesWithItsCertificate() throws Exception {
    SignedCheckpoint signed = SignedCheckpoint.sign(CHECKPOINT, coordinatorSigner());

    signed.verify(Signatures.verifier(COORDINATOR.certificate()));
  }

  @Test
  void checkpointSignedByAnotherKeyIsRejected() throws Exception {
    SignedCheckpoint signed =
        SignedCheckpoint.sign(CHECKPOINT, Signatures.signer(SITE.privateKey()));

    Verifier coordinator = Signatures.verifier(COORDINATOR.certificate());
    VerificationException e =
        assertThrows(VerificationException.class, () -> signed.verify(coordinator));
    assertTrue(e.getMessage().contains("tree size 8"), e.getMessage());
  }

  @Test
  void signatureCoversTheContextPrefixAndNotJustTheBody() throws Exception {
    // A signature over the bare body (what any other use of the key might sign) must not pass.
    byte[] bodyOnly = coordinatorSigner().sign(CHECKPOINT.encode());
    SignedCheckpoint forged = new SignedCheckpoint(CHECKPOINT, bodyOnly);

    assertThrows(
        VerificationException.class,
        () -> forged.verify(Signatures.verifier(COORDINATOR.certificate())));
  }

  @Test
  void signedBytesAreTheContextFollowedByTheEncoding() {
    byte[] expected =
        ("medfed-checkpoint-v1\n" + new String(CHECKPOINT.encode(), StandardCharsets.US_ASCII))
            .getBytes(StandardCharsets.US_ASCII);
    assertArrayEquals(expected, SignedCheckpoint.signedBytes(CHECKPOINT));
  }

  @Test
  void eachChangedFieldInvalidatesTheSignature() throws Exception {
    SignedCheckpoint signed = SignedCheckpoint.sign(CHECKPOINT, coordinatorSigner());
    Verifier verifier = Signatures.verifier(COORDINATOR.certificate());
    byte[] otherRoot = Rfc6962Vectors.ROOTS.get(6);
    List<Checkpoint> changed =
        List.of(
            new Checkpoint("medfed.example/other-study", 8, CHECKPOINT.rootHash(), time()),
            new Checkpoint(CHECKPOINT.origin(), 9, CHECKPOINT.rootHash(), time()),
            new Checkpoint(CHECKPOINT.origin(), 8, otherRoot, time()),
            new Checkpoint(CHECKPOINT.origin(), 8, CHECKPOINT.rootHash(), time().plusMillis(1)));
    for (Checkpoint checkpoint : changed) {
      SignedCheckpoint swapped = new SignedCheckpoint(checkpoint, signed.signature());
      assertThrows(
          VerificationException.class, () -> swapped.verify(verifier), checkpoint::toString);
    }
  }

  @Property(tries = 200)
  void anyFlippedSignatureBitIsRejected(@ForAll int bitSeed) throws Exception {
    byte[] signature = SignedCheckpoint.sign(CHECKPOINT, coordinatorSigner()).signature();
    int bit = Math.floorMod(bitSeed, signature.length * 8);
    signature[bit / 8] ^= (byte) (1 << (bit % 8));
    SignedCheckpoint tampered = new SignedCheckpoint(CHECKPOINT, signature);

    assertThrows(
        VerificationException.class,
        () -> tampered.verify(Signatures.verifier(COORDINATOR.certificate())));
  }

  @Property(tries = 200)
  void anyFlippedBitInTheEncodedCheckpointIsRejected(@ForAll int bitSeed) throws Exception {
    SignedCheckpoint signed = SignedCheckpoint.sign(CHECKPOINT, coordinatorSigner());
    byte[] encoded = CHECKPOINT.encode();
    int bit = Math.floorMod(bitSeed, encoded.length * 8);
    encoded[bit / 8] ^= (byte) (1 << (bit % 8));
    Verifier verifier = Signatures.verifier(COORDINATOR.certificate());

    // Either the bytes no longer parse, or they parse to a checkpoint the signature does not cover.
    assertThrows(
        VerificationException.class,
        () -> new SignedCheckpoint(Checkpoint.parse(encoded), signed.signature()).verify(verifier));
  }

  @Test
  void truncatedSignatureIsRejected() throws Exception {
    byte[] signature = SignedCheckpoint.sign(CHECKPOINT, coordinatorSigner()).signature();
    SignedCheckpoint truncated =
        new SignedCheckpoint(CHECKPOINT, Arrays.copyOf(signature, signature.length - 1));

    assertThrows(
        VerificationException.class,
        () -> truncated.verify(Signatures.verifier(COORDINATOR.certificate())));
  }

  @Test
  void emptySignatureIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> new SignedCheckpoint(CHECKPOINT, new byte[0]));
  }

  @Test
  void signatureCannotBeChangedThroughTheRecord() throws Exception {
    SignedCheckpoint signed = SignedCheckpoint.sign(CHECKPOINT, coordinatorSigner());
    signed.signature()[0] ^= 1;

    assertDoesNotThrow(() -> signed.verify(Signatures.verifier(COORDINATOR.certificate())));
  }

  private static Signer coordinatorSigner() throws Exception {
    return Signatures.signer(COORDINATOR.privateKey());
  }

  private static Instant time() {
    return CHECKPOINT.timestamp();
  }
}
