package org.medfed.demo;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.medfed.crypto.secagg.MaskingGraph;
import org.medfed.crypto.secagg.Quantizer;
import org.medfed.crypto.secagg.RoundParameters;
import org.medfed.crypto.secagg.SecAggClient;
import org.medfed.crypto.secagg.SecAggMessage.AdvertiseKeys;
import org.medfed.crypto.secagg.SecAggMessage.EncryptedShare;
import org.medfed.crypto.secagg.SecAggMessage.MaskedInput;
import org.medfed.crypto.secagg.SecAggMessage.ShareKeys;
import org.medfed.crypto.secagg.SecAggMessage.UnmaskRequest;
import org.medfed.crypto.secagg.SecAggMessage.UnmaskShares;
import org.medfed.crypto.secagg.SecAggServer;
import org.medfed.crypto.sign.Signatures;
import org.medfed.crypto.sign.Verifier;

/**
 * Measures the secure-aggregation protocol core in one process (no network): for n sites, d
 * parameters and a share of sites dropping before masked input (the costly case for the
 * coordinator), the coordinator's unmasking time, each site's SecAgg work, each site's upload, and
 * the same against a plaintext round (summing float32 updates, uploading 4·d bytes). Sites sign
 * their advertised keys with ECDSA P-256, the keys MedFed's certificates carry. A benchmark, not a
 * test: {@code deploy/local/benchmark-secagg.sh}.
 */
public final class SecAggBenchmark {
  private SecAggBenchmark() {}

  public static void main(String[] args) throws Exception {
    SecureRandom random = new SecureRandom();
    System.out.println(
        "| n | d | graph | dropout | coordinator unmasking ms | plaintext sum ms | per-site"
            + " SecAgg ms | site upload bytes | upload / float32 update |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    int[][] shapes = {
      {4, 10_000}, {10, 10_000}, {100, 10_000}, {4, 1_000_000}, {10, 1_000_000}, {100, 1_000_000}
    };
    for (int[] shape : shapes) {
      for (double dropout : new double[] {0, 0.1, 0.3}) {
        // The complete graph at n = 100, d = 10^6 means 100 x 99 mask streams of 4 MB in one
        // process (about half an hour here): not run; SecAgg+ is the configuration for it.
        if (!(shape[0] == 100 && shape[1] == 1_000_000)) {
          runOrReport(shape[0], shape[1], dropout, false, random);
        }
        if (shape[0] == 100) {
          runOrReport(shape[0], shape[1], dropout, true, random);
        }
      }
    }
  }

  /** A round the protocol refuses (too few share holders survive) is a result too: say so. */
  private static void runOrReport(
      int n, int d, double dropout, boolean secAggPlus, SecureRandom random) throws Exception {
    try {
      run(n, d, dropout, secAggPlus, random);
    } catch (org.medfed.crypto.secagg.SecAggException e) {
      System.out.printf(
          "| %d | %d | %s | %.0f%% | round refused: %s | | | | |%n",
          n, d, secAggPlus ? "SecAgg+" : "complete", dropout * 100, e.getMessage());
    }
  }

  private static void run(int n, int d, double dropout, boolean secAggPlus, SecureRandom random)
      throws Exception {
    List<String> sites = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sites.add(String.format("site-%03d", i));
    }
    MaskingGraph graph = new MaskingGraph.Complete();
    int threshold = RoundParameters.defaultThreshold(n);
    if (secAggPlus) {
      byte[] seed = new byte[32];
      random.nextBytes(seed);
      int degree = 2 * (int) Math.ceil(Math.log(n) / Math.log(2)); // even, ~ 2 log2 n
      graph = new MaskingGraph.Harary(degree, seed);
      threshold = Math.min(threshold, degree / 2 + 1);
    }
    RoundParameters parameters =
        new RoundParameters(1, sites, d, threshold, Quantizer.withHeadroom(1.0, n), graph);

    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    Map<String, SecAggClient> clients = new HashMap<>();
    Map<String, Verifier> verifiers = new HashMap<>();
    org.medfed.crypto.secagg.SignatureVerifier verify =
        (site, message, signature) ->
            verifiers.containsKey(site) && verifiers.get(site).verify(signature, message);
    for (String site : sites) {
      KeyPair keys = generator.generateKeyPair();
      verifiers.put(site, Signatures.verifier(keys.getPublic()));
      var signer = Signatures.signer(keys.getPrivate());
      clients.put(site, SecAggClient.create(parameters, site, signer::sign, verify, random));
    }
    double[] update = new double[d];
    for (int i = 0; i < d; i++) {
      update[i] = random.nextDouble(-1, 1);
    }

    SecAggServer server = new SecAggServer(parameters, verify);
    Map<String, Long> siteNanos = new HashMap<>();
    Map<String, Long> siteBytes = new HashMap<>();
    for (String site : sites) {
      long start = System.nanoTime();
      AdvertiseKeys advertised = clients.get(site).advertiseKeys();
      add(siteNanos, site, System.nanoTime() - start);
      add(siteBytes, site, 64 + advertised.signature().length);
      server.receive(site, advertised);
    }
    List<AdvertiseKeys> keys = server.closeAdvertising();
    for (String site : sites) {
      long start = System.nanoTime();
      ShareKeys shares = clients.get(site).shareKeys(keys);
      add(siteNanos, site, System.nanoTime() - start);
      add(siteBytes, site, shares.shares().stream().mapToLong(s -> s.ciphertext().length).sum());
      server.receive(site, shares);
    }
    Map<String, List<EncryptedShare>> routed = server.closeSharing();
    List<String> shuffled = new ArrayList<>(sites);
    java.util.Collections.shuffle(shuffled, random);
    java.util.Set<String> droppedSites =
        java.util.Set.copyOf(shuffled.subList(0, (int) Math.floor(n * dropout)));
    List<String> survivors = sites.stream().filter(s -> !droppedSites.contains(s)).toList();
    for (String site : survivors) {
      long start = System.nanoTime();
      MaskedInput masked = clients.get(site).maskInput(routed.get(site), update);
      add(siteNanos, site, System.nanoTime() - start);
      add(siteBytes, site, 4L * masked.length());
      server.receive(site, masked);
    }
    long coordinatorStart = System.nanoTime();
    UnmaskRequest request = server.closeMasking();
    long coordinatorNanos = System.nanoTime() - coordinatorStart;
    for (String site : request.survivors()) {
      long start = System.nanoTime();
      UnmaskShares shares = clients.get(site).unmask(request);
      add(siteNanos, site, System.nanoTime() - start);
      add(siteBytes, site, shares.shares().stream().mapToLong(r -> r.share().length).sum());
      long receiveStart = System.nanoTime();
      server.receive(site, shares);
      coordinatorNanos += System.nanoTime() - receiveStart;
    }
    long finishStart = System.nanoTime();
    server.finish();
    coordinatorNanos += System.nanoTime() - finishStart;

    // The plaintext round the coordinator runs today: sum the survivors' float32 updates.
    float[][] plain = new float[survivors.size()][d];
    long plainStart = System.nanoTime();
    double[] sum = new double[d];
    for (float[] vector : plain) {
      for (int i = 0; i < d; i++) {
        sum[i] += vector[i];
      }
    }
    long plainNanos = System.nanoTime() - plainStart;

    double perSiteMs = survivors.stream().mapToLong(siteNanos::get).average().orElse(0) / 1e6;
    double upload = survivors.stream().mapToLong(siteBytes::get).average().orElse(0);
    System.out.printf(
        "| %d | %d | %s | %.0f%% | %.1f | %.2f | %.1f | %.0f | %.4f |%n",
        n,
        d,
        secAggPlus ? "SecAgg+ k=" + ((MaskingGraph.Harary) graph).degree() : "complete",
        dropout * 100,
        coordinatorNanos / 1e6,
        plainNanos / 1e6,
        perSiteMs,
        upload,
        upload / (4.0 * d));
  }

  private static void add(Map<String, Long> totals, String site, long value) {
    totals.merge(site, value, Long::sum);
  }
}
