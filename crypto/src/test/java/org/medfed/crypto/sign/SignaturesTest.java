package org.medfed.crypto.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.IssuedCredential;

class SignaturesTest {
  private static final Duration YEAR = Duration.ofDays(365);
  private static final CertificateAuthority CA = CertificateAuthority.create("heart-study", YEAR);
  private static final IssuedCredential CHARITE = CA.issueSite("charite", YEAR);
  private static final IssuedCredential KAROLINSKA = CA.issueSite("karolinska", YEAR);
  private static final IssuedCredential COORDINATOR =
      CA.issueCoordinator("coordinator", List.of("localhost"), List.of(), YEAR);
  private static final byte[] MESSAGE =
      "round 3 masked input from charite".getBytes(StandardCharsets.UTF_8);

  @Test
  void siteSignatureVerifiesWithTheSiteCertificate() throws Exception {
    byte[] signature = Signatures.signer(CHARITE.privateKey()).sign(MESSAGE);

    assertTrue(Signatures.verifier(CHARITE.certificate()).verify(signature, MESSAGE));
  }

  @Test
  void coordinatorSignatureVerifiesWithTheCoordinatorPublicKey() throws Exception {
    byte[] signature = Signatures.signer(COORDINATOR.privateKey()).sign(MESSAGE);

    Verifier verifier = Signatures.verifier(COORDINATOR.certificate().getPublicKey());
    assertTrue(verifier.verify(signature, MESSAGE));
  }

  @Test
  void signatureOfAnotherSiteDoesNotVerify() throws Exception {
    byte[] signature = Signatures.signer(KAROLINSKA.privateKey()).sign(MESSAGE);

    assertFalse(Signatures.verifier(CHARITE.certificate()).verify(signature, MESSAGE));
  }

  @Test
  void everyTruncationOfASignatureIsRejectedWithoutThrowing() throws Exception {
    byte[] signature = Signatures.signer(CHARITE.privateKey()).sign(MESSAGE);
    Verifier verifier = Signatures.verifier(CHARITE.certificate());

    for (int length = 0; length < signature.length; length++) {
      byte[] truncated = Arrays.copyOf(signature, length);
      assertFalse(verifier.verify(truncated, MESSAGE), "truncated to " + length + " bytes");
    }
  }

  @Test
  void signatureWithTrailingBytesIsRejected() throws Exception {
    byte[] signature = Signatures.signer(CHARITE.privateKey()).sign(MESSAGE);
    byte[] extended = Arrays.copyOf(signature, signature.length + 1);

    assertFalse(Signatures.verifier(CHARITE.certificate()).verify(extended, MESSAGE));
  }

  @Property(tries = 200)
  void anyChangedMessageBitIsRejected(@ForAll("messages") byte[] message, @ForAll int bitSeed)
      throws Exception {
    byte[] signature = Signatures.signer(CHARITE.privateKey()).sign(message);
    byte[] changed = flipBit(message, bitSeed);

    assertFalse(Signatures.verifier(CHARITE.certificate()).verify(signature, changed));
  }

  @Property(tries = 200)
  void anyChangedSignatureBitIsRejected(@ForAll int bitSeed) throws Exception {
    byte[] signature = Signatures.signer(CHARITE.privateKey()).sign(MESSAGE);

    boolean accepted =
        Signatures.verifier(CHARITE.certificate()).verify(flipBit(signature, bitSeed), MESSAGE);

    assertFalse(accepted);
  }

  @Property(tries = 50)
  void arbitraryBytesAreRejectedAsASignatureWithoutThrowing(@ForAll @Size(max = 100) byte[] garbage)
      throws Exception {
    assertFalse(Signatures.verifier(CHARITE.certificate()).verify(garbage, MESSAGE));
  }

  @Test
  void ed25519SignatureRoundTrips() throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] signature = Signatures.signer(keys.getPrivate()).sign(MESSAGE);

    assertEquals(64, signature.length);
    assertTrue(Signatures.verifier(keys.getPublic()).verify(signature, MESSAGE));
  }

  @Test
  void ed25519SignatureOfAnotherKeyOrMessageIsRejected() throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] signature = Signatures.signer(keys.getPrivate()).sign(MESSAGE);

    assertFalse(Signatures.verifier(other.getPublic()).verify(signature, MESSAGE));
    assertFalse(Signatures.verifier(keys.getPublic()).verify(signature, new byte[] {1}));
    assertFalse(
        Signatures.verifier(keys.getPublic()).verify(Arrays.copyOf(signature, 63), MESSAGE));
  }

  @Test
  void ecdsaSignatureDoesNotVerifyUnderAnEd25519Key() throws Exception {
    KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] signature = Signatures.signer(CHARITE.privateKey()).sign(MESSAGE);

    assertFalse(Signatures.verifier(ed.getPublic()).verify(signature, MESSAGE));
  }

  @Test
  void ecKeyOnAnotherCurveIsRefused() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair p384 = generator.generateKeyPair();

    InvalidKeyException e =
        assertThrows(InvalidKeyException.class, () -> Signatures.signer(p384.getPrivate()));
    assertTrue(e.getMessage().contains("P-256"), e.getMessage());
    assertThrows(InvalidKeyException.class, () -> Signatures.verifier(p384.getPublic()));
  }

  @Test
  void ed448KeyIsRefused() throws Exception {
    KeyPair ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair();

    assertThrows(InvalidKeyException.class, () -> Signatures.signer(ed448.getPrivate()));
    assertThrows(InvalidKeyException.class, () -> Signatures.verifier(ed448.getPublic()));
  }

  @Test
  void rsaKeyIsRefused() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair rsa = generator.generateKeyPair();

    InvalidKeyException e =
        assertThrows(InvalidKeyException.class, () -> Signatures.signer(rsa.getPrivate()));
    assertTrue(e.getMessage().contains("RSA"), e.getMessage());
  }

  @Test
  void caCertificateIsRefusedBecauseItMayNotSignData() {
    InvalidKeyException e =
        assertThrows(InvalidKeyException.class, () -> Signatures.verifier(CA.certificate()));
    assertTrue(e.getMessage().contains("digitalSignature"), e.getMessage());
  }

  @Test
  void toStringNamesTheAlgorithmButNotTheKey() throws Exception {
    Signer signer = Signatures.signer(CHARITE.privateKey());

    assertEquals("Signer[SHA256withECDSA]", signer.toString());
    assertEquals(
        "Verifier[SHA256withECDSA]", Signatures.verifier(CHARITE.certificate()).toString());
  }

  @Provide
  Arbitrary<byte[]> messages() {
    return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(200);
  }

  private static byte[] flipBit(byte[] data, int seed) {
    byte[] copy = data.clone();
    int bit = Math.floorMod(seed, copy.length * 8);
    copy[bit / 8] ^= (byte) (1 << (bit % 8));
    return copy;
  }
}
