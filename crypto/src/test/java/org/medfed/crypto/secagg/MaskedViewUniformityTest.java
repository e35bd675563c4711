package org.medfed.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.medfed.crypto.secagg.SecAggMessage.AdvertiseKeys;
import org.medfed.crypto.secagg.SecAggMessage.EncryptedShare;
import org.medfed.crypto.secagg.SecAggMessage.MaskedInput;

/** What the server sees of one site is indistinguishable from uniform bytes; the update is not. */
class MaskedViewUniformityTest {
  private static final int D = 4096;

  /** Significance 1e-6: a truly uniform vector fails about once in a million runs. */
  private static final double Z_ONE_IN_A_MILLION = 4.7534;

  @Test
  void maskedVectorPassesChiSquareWhileQuantisedUpdateFails() throws Exception {
    List<String> sites = SimulatedFederation.siteIds(4);
    RoundParameters parameters = RoundParameters.of(1, sites, D, 1.0);
    SimulatedFederation federation = new SimulatedFederation(parameters);
    SecAggServer server = federation.server();
    Map<String, SecAggClient> clients = new java.util.HashMap<>();
    for (String site : sites) {
      clients.put(site, federation.client(site));
      server.receive(site, clients.get(site).advertiseKeys());
    }
    List<AdvertiseKeys> keys = server.closeAdvertising();
    for (String site : sites) {
      server.receive(site, clients.get(site).shareKeys(keys));
    }
    Map<String, List<EncryptedShare>> routed = server.closeSharing();
    double[] update = new double[D];
    Random random = new Random(11);
    for (int i = 0; i < D; i++) {
      update[i] = random.nextGaussian() * 0.1;
    }
    String site = sites.get(0);
    MaskedInput view = clients.get(site).maskInput(routed.get(site), update);
    int[] quantised = parameters.quantizer().encode(update, SimulatedFederation.RANDOM);

    double critical = chiSquareCritical(255, Z_ONE_IN_A_MILLION);
    double masked = chiSquareOfBytes(view.maskedVector());
    double plain = chiSquareOfBytes(quantised);
    assertTrue(masked < critical, "masked view chi-square " + masked + " >= " + critical);
    assertTrue(plain > critical, "plaintext chi-square " + plain + " <= " + critical);
  }

  private static double chiSquareOfBytes(int[] vector) {
    long[] counts = new long[256];
    for (int value : vector) {
      for (int shift = 0; shift < 32; shift += 8) {
        counts[(value >>> shift) & 0xFF]++;
      }
    }
    double expected = vector.length * 4 / 256.0;
    double statistic = 0;
    for (long count : counts) {
      statistic += (count - expected) * (count - expected) / expected;
    }
    return statistic;
  }

  /** Wilson-Hilferty approximation of the chi-square quantile for {@code k} degrees of freedom. */
  private static double chiSquareCritical(int k, double z) {
    double c = 2.0 / (9 * k);
    return k * Math.pow(1 - c + z * Math.sqrt(c), 3);
  }
}
