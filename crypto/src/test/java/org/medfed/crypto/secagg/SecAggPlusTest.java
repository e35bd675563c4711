package org.medfed.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.medfed.crypto.secagg.SecAggMessage.AdvertiseKeys;
import org.medfed.crypto.secagg.SecAggMessage.EncryptedShare;
import org.medfed.crypto.secagg.SecAggMessage.ShareKeys;
import org.medfed.crypto.secagg.SecAggMessage.UnmaskRequest;

/** SecAgg+: masks and shares only along a sparse public graph. */
class SecAggPlusTest {
  private static final int D = 16;
  private final List<String> sites = SimulatedFederation.siteIds(8);
  private final RoundParameters parameters =
      new RoundParameters(
          4, sites, D, 3, Quantizer.withHeadroom(1.0, 8), new MaskingGraph.Harary(2, new byte[32]));
  private final SimulatedFederation federation = new SimulatedFederation(parameters);
  private final Neighbourhoods graph = Neighbourhoods.of(parameters);
  private final SecAggServer server = federation.server();
  private final Map<String, SecAggClient> clients = new HashMap<>();

  private Map<String, List<EncryptedShare>> shareAll() throws Exception {
    for (String site : sites) {
      clients.put(site, federation.client(site));
      server.receive(site, clients.get(site).advertiseKeys());
    }
    List<AdvertiseKeys> keys = server.closeAdvertising();
    for (String site : sites) {
      ShareKeys shares = clients.get(site).shareKeys(keys);
      assertEquals(
          graph.of(site),
          Set.copyOf(shares.shares().stream().map(EncryptedShare::recipient).toList()));
      server.receive(site, shares);
    }
    return server.closeSharing();
  }

  @Test
  void eachSiteSharesOnlyWithItsNeighboursAndTheSumIsExact() throws Exception {
    Map<String, double[]> updates = SecAggRoundPropertyTest.updates(sites, D, 17);
    SimulatedFederation.Outcome outcome = federation.run(updates, SimulatedFederation.noDrops());
    assertArrayEquals(
        SecAggRoundPropertyTest.plainSum(updates, Set.copyOf(sites), D),
        outcome.result().sum(),
        outcome.result().errorBound());
    shareAll();
  }

  @Test
  void forgedKeysAreRefusedByEverySiteThatUsesThem() throws Exception {
    for (String site : sites) {
      clients.put(site, federation.client(site));
      server.receive(site, clients.get(site).advertiseKeys());
    }
    List<AdvertiseKeys> keys = new ArrayList<>(server.closeAdvertising());
    String victim = sites.get(0);
    int at = keys.indexOf(keys.stream().filter(k -> k.siteId().equals(victim)).findFirst().get());
    AdvertiseKeys genuine = keys.get(at);
    byte[] forged = federation.signer(sites.get(1)).sign(genuine.signedPayload());
    keys.set(
        at, new AdvertiseKeys(4, victim, genuine.encryptionKey(), genuine.maskingKey(), forged));
    for (String site : graph.holdersOf(victim)) {
      SecAggException e =
          assertThrows(SecAggException.class, () -> clients.get(site).shareKeys(keys));
      assertEquals(SecAggException.Reason.BAD_SIGNATURE, e.reason(), site);
      assertEquals(Phase.SHARE_KEYS, clients.get(site).phase());
    }
  }

  @Test
  void siteRefusesToUnmaskASurvivorCutOffFromTheOtherSurvivors() throws Exception {
    Map<String, List<EncryptedShare>> routed = shareAll();
    String isolated = sites.get(0);
    List<String> survivors = new ArrayList<>(List.of(isolated));
    for (String site : sites) {
      if (survivors.size() < 3 && !graph.holdersOf(isolated).contains(site)) {
        survivors.add(site);
      }
    }
    for (String site : survivors) {
      server.receive(site, clients.get(site).maskInput(routed.get(site), new double[D]));
    }
    UnmaskRequest request = server.closeMasking();
    SecAggException e =
        assertThrows(SecAggException.class, () -> clients.get(isolated).unmask(request));
    assertEquals(SecAggException.Reason.PRIVACY_VIOLATION, e.reason());
  }
}
