package org.medfed.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medfed.crypto.secagg.SecAggException.Reason.BAD_SIGNATURE;
import static org.medfed.crypto.secagg.SecAggException.Reason.BELOW_THRESHOLD;
import static org.medfed.crypto.secagg.SecAggException.Reason.DECRYPTION_FAILED;
import static org.medfed.crypto.secagg.SecAggException.Reason.INCONSISTENT;
import static org.medfed.crypto.secagg.SecAggException.Reason.PRIVACY_VIOLATION;
import static org.medfed.crypto.secagg.SecAggException.Reason.REPLAY;
import static org.medfed.crypto.secagg.SecAggException.Reason.ROUND_FAILED;
import static org.medfed.crypto.secagg.SecAggException.Reason.WRONG_LENGTH;
import static org.medfed.crypto.secagg.SecAggException.Reason.WRONG_PHASE;
import static org.medfed.crypto.secagg.SecAggException.Reason.WRONG_RECIPIENT;
import static org.medfed.crypto.secagg.SecAggException.Reason.WRONG_ROUND;
import static org.medfed.crypto.secagg.SecAggException.Reason.WRONG_SENDER;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.medfed.crypto.secagg.SecAggMessage.AdvertiseKeys;
import org.medfed.crypto.secagg.SecAggMessage.EncryptedShare;
import org.medfed.crypto.secagg.SecAggMessage.MaskedInput;
import org.medfed.crypto.secagg.SecAggMessage.RevealedShare;
import org.medfed.crypto.secagg.SecAggMessage.SecretKind;
import org.medfed.crypto.secagg.SecAggMessage.ShareKeys;
import org.medfed.crypto.secagg.SecAggMessage.UnmaskRequest;
import org.medfed.crypto.secagg.SecAggMessage.UnmaskShares;

/** Every refusal names its reason, and a refused message changes nothing. */
class RefusalTest {
  private static final long ROUND = 5;
  private static final int D = 8;
  private final List<String> sites = SimulatedFederation.siteIds(4);
  private final RoundParameters parameters =
      new RoundParameters(
          ROUND, sites, D, 3, Quantizer.withHeadroom(1.0, 4), new MaskingGraph.Complete());
  private final SimulatedFederation federation = new SimulatedFederation(parameters);
  private final Map<String, SecAggClient> clients = new HashMap<>();
  private SecAggServer server;
  private final String a = sites.get(0);
  private final String b = sites.get(1);

  @BeforeEach
  void setUp() {
    server = federation.server();
    for (String site : sites) {
      clients.put(site, federation.client(site));
    }
  }

  private static void assertRefused(SecAggException.Reason reason, Executable action) {
    SecAggException e = assertThrows(SecAggException.class, action);
    assertEquals(reason, e.reason(), e.getMessage());
  }

  private List<AdvertiseKeys> advertiseAll() throws Exception {
    for (String site : sites) {
      server.receive(site, clients.get(site).advertiseKeys());
    }
    return server.closeAdvertising();
  }

  private Map<String, List<EncryptedShare>> shareAll() throws Exception {
    List<AdvertiseKeys> keys = advertiseAll();
    for (String site : sites) {
      server.receive(site, clients.get(site).shareKeys(keys));
    }
    return server.closeSharing();
  }

  private UnmaskRequest maskAll(List<String> senders) throws Exception {
    Map<String, List<EncryptedShare>> routed = shareAll();
    for (String site : senders) {
      server.receive(site, clients.get(site).maskInput(routed.get(site), new double[D]));
    }
    return server.closeMasking();
  }

  @Test
  void serverRefusesKeysForAnotherRound() throws Exception {
    AdvertiseKeys keys = clients.get(a).advertiseKeys();
    AdvertiseKeys stale =
        new AdvertiseKeys(ROUND - 1, a, keys.encryptionKey(), keys.maskingKey(), keys.signature());
    assertRefused(WRONG_ROUND, () -> server.receive(a, stale));
  }

  @Test
  void serverRefusesKeysSignedByAnotherSite() throws Exception {
    AdvertiseKeys keys = clients.get(a).advertiseKeys();
    byte[] forged = federation.signer(b).sign(keys.signedPayload());
    AdvertiseKeys forgery =
        new AdvertiseKeys(ROUND, a, keys.encryptionKey(), keys.maskingKey(), forged);
    assertRefused(BAD_SIGNATURE, () -> server.receive(a, forgery));
    server.receive(a, keys);
    assertEquals(
        List.of(b, sites.get(2), sites.get(3)), server.dropouts().get(Phase.ADVERTISE_KEYS));
  }

  @Test
  void serverRefusesKeysWhoseSignatureCoversOtherKeys() throws Exception {
    AdvertiseKeys keys = clients.get(a).advertiseKeys();
    byte[] swapped = keys.maskingKey();
    swapped[0] ^= 1;
    AdvertiseKeys tampered =
        new AdvertiseKeys(ROUND, a, keys.encryptionKey(), swapped, keys.signature());
    assertRefused(BAD_SIGNATURE, () -> server.receive(a, tampered));
  }

  @Test
  void serverRefusesMessageDeliveredByAnotherSite() throws Exception {
    AdvertiseKeys keys = clients.get(a).advertiseKeys();
    assertRefused(WRONG_SENDER, () -> server.receive(b, keys));
  }

  @Test
  void serverRefusesNonParticipant() {
    AdvertiseKeys keys =
        new AdvertiseKeys(ROUND, "intruder", new byte[32], new byte[32], new byte[64]);
    assertRefused(WRONG_SENDER, () -> server.receive("intruder", keys));
  }

  @Test
  void serverRefusesReplayedKeys() throws Exception {
    AdvertiseKeys keys = clients.get(a).advertiseKeys();
    server.receive(a, keys);
    assertRefused(REPLAY, () -> server.receive(a, keys));
  }

  @Test
  void serverRefusesKeysOfWrongLength() throws Exception {
    AdvertiseKeys keys = clients.get(a).advertiseKeys();
    AdvertiseKeys shortKey =
        new AdvertiseKeys(ROUND, a, new byte[31], keys.maskingKey(), keys.signature());
    assertRefused(WRONG_LENGTH, () -> server.receive(a, shortKey));
  }

  @Test
  void serverRefusesSharesBeforeTheirPhaseAndKeysAfterTheirs() throws Exception {
    ShareKeys early = new ShareKeys(ROUND, a, List.of());
    SecAggException e = assertThrows(SecAggException.class, () -> server.receive(a, early));
    assertEquals(WRONG_PHASE, e.reason());
    assertTrue(e.getMessage().contains("not opened"), e.getMessage());
    advertiseAll();
    SecAggClient late = federation.client(a);
    SecAggException closed =
        assertThrows(SecAggException.class, () -> server.receive(a, late.advertiseKeys()));
    assertEquals(WRONG_PHASE, closed.reason());
    assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
  }

  @Test
  void serverRefusesEncryptedShareOfWrongLength() throws Exception {
    List<AdvertiseKeys> keys = advertiseAll();
    ShareKeys honest = clients.get(a).shareKeys(keys);
    List<EncryptedShare> shares = new ArrayList<>(honest.shares());
    EncryptedShare first = shares.get(0);
    shares.set(
        0,
        new EncryptedShare(
            ROUND, a, first.recipient(), java.util.Arrays.copyOf(first.ciphertext(), 10)));
    assertRefused(WRONG_LENGTH, () -> server.receive(a, new ShareKeys(ROUND, a, shares)));
    server.receive(a, honest);
  }

  @Test
  void serverRefusesShareKeysMissingARecipient() throws Exception {
    List<AdvertiseKeys> keys = advertiseAll();
    ShareKeys honest = clients.get(a).shareKeys(keys);
    ShareKeys partial = new ShareKeys(ROUND, a, honest.shares().subList(1, 3));
    assertRefused(INCONSISTENT, () -> server.receive(a, partial));
  }

  @Test
  void serverRefusesMaskedInputOfWrongLength() throws Exception {
    shareAll();
    assertRefused(WRONG_LENGTH, () -> server.receive(a, new MaskedInput(ROUND, a, new int[D + 1])));
  }

  @Test
  void serverRefusesMaskedInputFromSiteThatDidNotShareKeys() throws Exception {
    List<AdvertiseKeys> keys = advertiseAll();
    for (String site : sites.subList(1, 4)) {
      server.receive(site, clients.get(site).shareKeys(keys));
    }
    server.closeSharing();
    assertRefused(WRONG_SENDER, () -> server.receive(a, new MaskedInput(ROUND, a, new int[D])));
    assertEquals(List.of(a), server.dropouts().get(Phase.SHARE_KEYS));
  }

  @Test
  void clientRefusesRelayedKeysWithForgedSignature() throws Exception {
    List<AdvertiseKeys> keys = new ArrayList<>(advertiseAll());
    AdvertiseKeys victim = keys.get(1);
    keys.set(
        1,
        new AdvertiseKeys(
            ROUND,
            victim.siteId(),
            federation.client(a).advertiseKeys().encryptionKey(),
            victim.maskingKey(),
            victim.signature()));
    assertRefused(BAD_SIGNATURE, () -> clients.get(sites.get(2)).shareKeys(keys));
  }

  @Test
  void clientRefusesRelayedKeysThatReplaceItsOwn() throws Exception {
    List<AdvertiseKeys> keys = new ArrayList<>(advertiseAll());
    keys.removeIf(k -> k.siteId().equals(a));
    assertRefused(INCONSISTENT, () -> clients.get(a).shareKeys(keys));
  }

  @Test
  void clientRefusesDuplicatedKeys() throws Exception {
    List<AdvertiseKeys> keys = new ArrayList<>(advertiseAll());
    keys.add(keys.get(1));
    assertRefused(REPLAY, () -> clients.get(a).shareKeys(keys));
  }

  @Test
  void clientRefusesTooFewKeys() throws Exception {
    List<AdvertiseKeys> keys = advertiseAll();
    assertRefused(BELOW_THRESHOLD, () -> clients.get(a).shareKeys(keys.subList(0, 2)));
  }

  @Test
  void clientRefusesAnotherPhaseStep() {
    assertRefused(WRONG_PHASE, () -> clients.get(a).shareKeys(List.of()));
    assertRefused(
        WRONG_PHASE, () -> clients.get(a).unmask(new UnmaskRequest(ROUND, List.copyOf(sites))));
  }

  @Test
  void clientRefusesShareAddressedToAnotherSite() throws Exception {
    Map<String, List<EncryptedShare>> routed = shareAll();
    assertRefused(WRONG_RECIPIENT, () -> clients.get(a).maskInput(routed.get(b), new double[D]));
  }

  @Test
  void clientRefusesTamperedShareAndStillAcceptsTheGenuineOnes() throws Exception {
    Map<String, List<EncryptedShare>> routed = shareAll();
    List<EncryptedShare> shares = new ArrayList<>(routed.get(a));
    EncryptedShare first = shares.get(0);
    byte[] flipped = first.ciphertext();
    flipped[flipped.length - 1] ^= 1;
    shares.set(0, new EncryptedShare(ROUND, first.sender(), a, flipped));
    assertRefused(DECRYPTION_FAILED, () -> clients.get(a).maskInput(shares, new double[D]));
    assertEquals(Phase.MASKED_INPUT, clients.get(a).phase());
    clients.get(a).maskInput(routed.get(a), new double[D]);
  }

  @Test
  void clientRefusesNonFiniteUpdateAndStillMasksTheNextOneCorrectly() throws Exception {
    Map<String, List<EncryptedShare>> routed = shareAll();
    double[] broken = new double[D];
    broken[D - 1] = Double.NaN;
    assertThrows(
        IllegalArgumentException.class, () -> clients.get(a).maskInput(routed.get(a), broken));
    assertEquals(Phase.MASKED_INPUT, clients.get(a).phase());
    Map<String, double[]> updates = SecAggRoundPropertyTest.updates(sites, D, 23);
    for (String site : sites) {
      server.receive(site, clients.get(site).maskInput(routed.get(site), updates.get(site)));
    }
    UnmaskRequest request = server.closeMasking();
    for (String site : sites) {
      server.receive(site, clients.get(site).unmask(request));
    }
    var result = server.finish();
    assertArrayEquals(
        SecAggRoundPropertyTest.plainSum(updates, java.util.Set.copyOf(sites), D),
        result.sum(),
        result.errorBound());
  }

  @Test
  void clientRefusesShareWhoseSenderWasRelabelled() throws Exception {
    Map<String, List<EncryptedShare>> routed = shareAll();
    List<EncryptedShare> shares = new ArrayList<>(routed.get(a));
    EncryptedShare first = shares.get(0);
    String other =
        sites.stream()
            .filter(s -> !s.equals(a) && !s.equals(first.sender()))
            .findFirst()
            .orElseThrow();
    shares.set(0, new EncryptedShare(ROUND, other, a, first.ciphertext()));
    shares.removeIf(s -> s.sender().equals(other) && s != shares.get(0));
    assertRefused(DECRYPTION_FAILED, () -> clients.get(a).maskInput(shares, new double[D]));
  }

  @Test
  void clientRefusesShareForAnotherRound() throws Exception {
    Map<String, List<EncryptedShare>> routed = shareAll();
    List<EncryptedShare> shares = new ArrayList<>(routed.get(a));
    EncryptedShare first = shares.get(0);
    shares.set(0, new EncryptedShare(ROUND + 1, first.sender(), a, first.ciphertext()));
    assertRefused(WRONG_ROUND, () -> clients.get(a).maskInput(shares, new double[D]));
  }

  @Test
  void clientRefusesToUnmaskFewerThanThresholdSurvivors() throws Exception {
    UnmaskRequest request = maskAll(sites);
    UnmaskRequest small = new UnmaskRequest(ROUND, List.of(a, b));
    assertRefused(BELOW_THRESHOLD, () -> clients.get(a).unmask(small));
    assertEquals(Phase.UNMASKING, clients.get(a).phase());
    clients.get(a).unmask(request);
  }

  @Test
  void clientRefusesUnmaskRequestThatOmitsIt() throws Exception {
    maskAll(sites);
    UnmaskRequest withoutA = new UnmaskRequest(ROUND, sites.subList(1, 4));
    assertRefused(INCONSISTENT, () -> clients.get(a).unmask(withoutA));
  }

  @Test
  void clientRevealsSelfMaskSharesForSurvivorsAndKeySharesForDroppedNeverBoth() throws Exception {
    UnmaskRequest request = maskAll(sites.subList(0, 3));
    UnmaskShares response = clients.get(a).unmask(request);
    Map<String, SecretKind> kinds = new HashMap<>();
    for (RevealedShare r : response.shares()) {
      assertEquals(null, kinds.put(r.owner(), r.kind()), "one share per owner");
    }
    assertEquals(SecretKind.MASKING_KEY, kinds.get(sites.get(3)));
    for (String survivor : sites.subList(0, 3)) {
      assertEquals(SecretKind.SELF_MASK_SEED, kinds.get(survivor));
    }
    assertRefused(WRONG_PHASE, () -> clients.get(a).unmask(request));
  }

  @Test
  void serverRefusesSelfMaskShareOfDroppedSite() throws Exception {
    maskAll(sites.subList(0, 3));
    String dropped = sites.get(3);
    UnmaskShares both =
        new UnmaskShares(
            ROUND, a, List.of(new RevealedShare(dropped, SecretKind.SELF_MASK_SEED, new byte[33])));
    assertRefused(PRIVACY_VIOLATION, () -> server.receive(a, both));
  }

  @Test
  void serverRefusesMaskingKeyShareOfSurvivor() throws Exception {
    maskAll(sites.subList(0, 3));
    UnmaskShares bad =
        new UnmaskShares(
            ROUND, a, List.of(new RevealedShare(b, SecretKind.MASKING_KEY, new byte[33])));
    assertRefused(PRIVACY_VIOLATION, () -> server.receive(a, bad));
  }

  @Test
  void serverRefusesUnmaskSharesFromSiteThatSentNoMaskedInput() throws Exception {
    maskAll(sites.subList(0, 3));
    String dropped = sites.get(3);
    assertRefused(
        WRONG_SENDER, () -> server.receive(dropped, new UnmaskShares(ROUND, dropped, List.of())));
  }

  @Test
  void serverFailsBelowThresholdAndThenRefusesEverything() throws Exception {
    server.receive(a, clients.get(a).advertiseKeys());
    server.receive(b, clients.get(b).advertiseKeys());
    SecAggException e = assertThrows(SecAggException.class, server::closeAdvertising);
    assertEquals(BELOW_THRESHOLD, e.reason());
    assertTrue(
        e.getMessage().contains("only 2 sites advertised keys, threshold is 3"), e.getMessage());
    assertEquals(Phase.FAILED, server.phase());
    assertRefused(
        ROUND_FAILED,
        () -> server.receive(sites.get(2), clients.get(sites.get(2)).advertiseKeys()));
    assertRefused(ROUND_FAILED, server::finish);
  }

  @Test
  void serverFailsWhenTooFewSitesAnswerUnmasking() throws Exception {
    UnmaskRequest request = maskAll(sites);
    server.receive(a, clients.get(a).unmask(request));
    server.receive(b, clients.get(b).unmask(request));
    assertRefused(BELOW_THRESHOLD, server::finish);
    assertEquals(List.of(sites.get(2), sites.get(3)), server.dropouts().get(Phase.UNMASKING));
  }
}
