package org.medfed.crypto.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.Test;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.sign.Signatures;
import org.medfed.crypto.sign.Signer;
import org.medfed.crypto.sign.Verifier;

class LogKeyVerifierTest {
  private static final Duration YEAR = Duration.ofDays(365);
  private static final CertificateAuthority CA = CertificateAuthority.create("heart-study", YEAR);
  private static final IssuedCredential COORDINATOR =
      CA.issueCoordinator("coordinator", List.of("localhost"), List.of(), YEAR);
  private static final IssuedCredential SITE = CA.issueSite("charite", YEAR);
  private static final BigInteger P256_ORDER =
      new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

  private static Verifier fast() throws InvalidKeyException {
    return LogKeyVerifier.forCertificate(COORDINATOR.certificate());
  }

  private static Verifier jdk() throws InvalidKeyException {
    return Signatures.verifier(COORDINATOR.certificate());
  }

  private static Signer coordinator() throws InvalidKeyException {
    return Signatures.signer(COORDINATOR.privateKey());
  }

  private static Checkpoint at(long size) {
    return new Checkpoint(
        "coordinator/exchange-log",
        size,
        Rfc6962Vectors.EMPTY_ROOT,
        Instant.parse("2026-11-22T02:30:00Z"));
  }

  /** What the coordinator signs for the checkpoint at {@code size}. */
  private static byte[] checkpoint(long size) {
    return SignedCheckpoint.signedBytes(at(size));
  }

  @Test
  void coordinatorCertificateGetsTheFastVerifier() throws Exception {
    assertInstanceOf(LogKeyVerifier.class, fast());
  }

  @Test
  void manySignaturesByTheKeyVerifyAndChangedMessagesDoNot() throws Exception {
    Verifier fast = fast();
    for (long size = 0; size < 300; size++) {
      byte[] message = checkpoint(size);
      byte[] signature = coordinator().sign(message);
      assertTrue(fast.verify(signature, message), "checkpoint " + size);
      assertFalse(fast.verify(signature, checkpoint(size + 1)), "checkpoint " + size);
    }
  }

  @Test
  void signatureByAnotherKeyIsRejected() throws Exception {
    byte[] message = checkpoint(8);
    byte[] signature = Signatures.signer(SITE.privateKey()).sign(message);
    assertFalse(fast().verify(signature, message));
    SignedCheckpoint signed = new SignedCheckpoint(at(8), signature);
    assertThrows(VerificationException.class, () -> signed.verify(fast()));
  }

  @Test
  void keyUsageIsCheckedAsBySignatures() {
    // The CA certificate may sign certificates only, not checkpoints.
    InvalidKeyException expected =
        assertThrows(InvalidKeyException.class, () -> Signatures.verifier(CA.certificate()));
    InvalidKeyException actual =
        assertThrows(
            InvalidKeyException.class, () -> LogKeyVerifier.forCertificate(CA.certificate()));
    assertEquals(expected.getMessage(), actual.getMessage());
  }

  @Property(tries = 300)
  void anyChangedSignatureByteGetsTheJdksAnswer(
      @ForAll @IntRange(min = 0, max = 71) int at,
      @ForAll @IntRange(min = 1, max = 255) int mask,
      @ForAll @IntRange(min = -2, max = 2) int lengthChange)
      throws Exception {
    byte[] message = checkpoint(at);
    byte[] signature = coordinator().sign(message);
    byte[] changed = Arrays.copyOf(signature, Math.max(0, signature.length + lengthChange));
    if (at < changed.length) {
      changed[at] ^= (byte) mask;
    }
    assertEquals(jdk().verify(changed, message), fast().verify(changed, message));
  }

  @Test
  void alternativeEncodingsOfAValidSignatureGetTheJdksAnswer() throws Exception {
    Random random = new Random(20261122L);
    Verifier fast = fast();
    Verifier jdk = jdk();
    int checked = 0;
    for (int i = 0; i < 200; i++) {
      byte[] message = checkpoint(i);
      ASN1Sequence sequence = ASN1Sequence.getInstance(coordinator().sign(message));
      BigInteger r = ASN1Integer.getInstance(sequence.getObjectAt(0)).getValue();
      BigInteger s = ASN1Integer.getInstance(sequence.getObjectAt(1)).getValue();
      List<byte[]> variants =
          List.of(
              der(r, s),
              der(r, P256_ORDER.subtract(s)), // the other valid s of the same signature
              der(r.add(P256_ORDER), s),
              der(r, s.add(P256_ORDER)),
              der(BigInteger.ZERO, s),
              der(r, BigInteger.ZERO),
              withRedundantZero(r, s),
              withoutSignByte(r, s),
              Arrays.copyOf(der(r, s), der(r, s).length + 1 + random.nextInt(3)));
      for (byte[] variant : variants) {
        assertEquals(jdk.verify(variant, message), fast.verify(variant, message), "variant");
        checked++;
      }
      assertTrue(fast.verify(variants.getFirst(), message));
    }
    assertEquals(1800, checked);
  }

  private static byte[] der(BigInteger r, BigInteger s) throws Exception {
    ASN1EncodableVector vector = new ASN1EncodableVector();
    vector.add(new ASN1Integer(r));
    vector.add(new ASN1Integer(s));
    return new DERSequence(vector).getEncoded();
  }

  /** r with one more leading zero byte than DER allows. */
  private static byte[] withRedundantZero(BigInteger r, BigInteger s) throws Exception {
    byte[] rBytes = r.toByteArray();
    byte[] sBytes = s.toByteArray();
    byte[] padded = new byte[rBytes.length + 1];
    System.arraycopy(rBytes, 0, padded, 1, rBytes.length);
    return sequence(padded, sBytes);
  }

  /** r without the zero byte that keeps it positive, when it has one (else unchanged). */
  private static byte[] withoutSignByte(BigInteger r, BigInteger s) throws Exception {
    byte[] rBytes = r.toByteArray();
    byte[] trimmed = rBytes[0] == 0 ? Arrays.copyOfRange(rBytes, 1, rBytes.length) : rBytes;
    return sequence(trimmed, s.toByteArray());
  }

  private static byte[] sequence(byte[] r, byte[] s) {
    byte[] out = new byte[6 + r.length + s.length];
    out[0] = 0x30;
    out[1] = (byte) (4 + r.length + s.length);
    out[2] = 0x02;
    out[3] = (byte) r.length;
    System.arraycopy(r, 0, out, 4, r.length);
    out[4 + r.length] = 0x02;
    out[5 + r.length] = (byte) s.length;
    System.arraycopy(s, 0, out, 6 + r.length, s.length);
    return out;
  }

  @Test
  void messageBytesAreUsedAsGiven() throws Exception {
    byte[] message = "medfed-checkpoint-v1\nnot a checkpoint\n".getBytes(StandardCharsets.US_ASCII);
    byte[] signature = coordinator().sign(message);
    assertTrue(fast().verify(signature, message));
    assertFalse(fast().verify(signature, Arrays.copyOf(message, message.length - 1)));
  }
}
