package org.medfed.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.SecretKey;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;

class RoundCryptoTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final X25519PrivateKeyParameters alice = RoundCrypto.generateKey(RANDOM);
  private final X25519PrivateKeyParameters bob = RoundCrypto.generateKey(RANDOM);

  @Test
  void bothSitesDeriveTheSameFullLengthPairwiseKey() throws Exception {
    byte[] ab = RoundCrypto.agree(alice, RoundCrypto.publicKey(bob));
    byte[] ba = RoundCrypto.agree(bob, RoundCrypto.publicKey(alice));
    SecretKey fromA =
        RoundCrypto.deriveKey(ab, RoundCrypto.Purpose.PAIRWISE_MASK, 3, "site-a", "site-b");
    SecretKey fromB =
        RoundCrypto.deriveKey(ba, RoundCrypto.Purpose.PAIRWISE_MASK, 3, "site-b", "site-a");
    assertArrayEquals(fromA.getEncoded(), fromB.getEncoded());
    assertEquals(32, fromA.getEncoded().length);
  }

  @Test
  void keysAreSeparatedByPurposeRoundAndPair() throws Exception {
    byte[] secret = RoundCrypto.agree(alice, RoundCrypto.publicKey(bob));
    byte[] base =
        RoundCrypto.deriveKey(secret, RoundCrypto.Purpose.PAIRWISE_MASK, 3, "a", "b").getEncoded();
    byte[][] others = {
      RoundCrypto.deriveKey(secret, RoundCrypto.Purpose.SHARE_ENCRYPTION, 3, "a", "b").getEncoded(),
      RoundCrypto.deriveKey(secret, RoundCrypto.Purpose.PAIRWISE_MASK, 4, "a", "b").getEncoded(),
      RoundCrypto.deriveKey(secret, RoundCrypto.Purpose.PAIRWISE_MASK, 3, "a", "c").getEncoded(),
    };
    for (byte[] other : others) {
      assertFalse(Arrays.equals(base, other));
    }
  }

  @Test
  void agreementRefusesLowOrderPublicKey() {
    SecAggException e =
        assertThrows(SecAggException.class, () -> RoundCrypto.agree(alice, new byte[32]));
    assertEquals(SecAggException.Reason.INCONSISTENT, e.reason());
  }

  @Test
  void sealedShareOpensOnlyWithTheSameAssociatedData() throws Exception {
    SecretKey key =
        RoundCrypto.deriveKey(new byte[32], RoundCrypto.Purpose.SHARE_ENCRYPTION, 1, "a", "b");
    byte[] ad = SecAggClient.associatedData(1, "a", "b");
    byte[] sealed = RoundCrypto.seal(key, new byte[] {1, 2, 3}, ad, RANDOM);
    assertArrayEquals(new byte[] {1, 2, 3}, RoundCrypto.open(key, sealed, ad));
    byte[] reversed = SecAggClient.associatedData(1, "b", "a");
    assertEquals(
        SecAggException.Reason.DECRYPTION_FAILED,
        assertThrows(SecAggException.class, () -> RoundCrypto.open(key, sealed, reversed))
            .reason());
    byte[] otherRound = SecAggClient.associatedData(2, "a", "b");
    assertThrows(SecAggException.class, () -> RoundCrypto.open(key, sealed, otherRound));
  }

  @Test
  void maskStreamIsTheSameAcrossChunkBoundariesAndCancels() {
    SecretKey key = RoundCrypto.deriveKey(new byte[32], RoundCrypto.Purpose.SELF_MASK, 1, "a", "a");
    int length = MaskStream.CHUNK_BYTES / 4 * 2 + 5;
    int[] bulk = new int[length];
    new MaskStream(key).addInto(bulk, false);
    MaskStream single = new MaskStream(key);
    int[] oneByOne = new int[length];
    for (int i = 0; i < length; i++) {
      oneByOne[i] = single.nextInt();
    }
    assertArrayEquals(oneByOne, bulk);
    new MaskStream(key).addInto(bulk, true);
    assertArrayEquals(new int[length], bulk);
  }

  @Test
  void differentKeysGiveDifferentMasks() {
    int[] a = new int[64];
    int[] b = new int[64];
    new MaskStream(RoundCrypto.deriveKey(new byte[32], RoundCrypto.Purpose.SELF_MASK, 1, "a", "a"))
        .addInto(a, false);
    new MaskStream(RoundCrypto.deriveKey(new byte[32], RoundCrypto.Purpose.SELF_MASK, 1, "b", "b"))
        .addInto(b, false);
    assertFalse(Arrays.equals(a, b));
  }

  @Test
  void secretBytesNeverPrintTheirContent() {
    SecretBytes secret = SecretBytes.copyOf(new byte[] {42, 43});
    assertEquals("SecretBytes(2 bytes)", secret.toString());
  }
}
