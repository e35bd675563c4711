package org.medfed.demo;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.medfed.crypto.secagg.MaskingGraph;
import org.medfed.crypto.secagg.Quantizer;
import org.medfed.crypto.secagg.RoundParameters;
import org.medfed.crypto.secagg.SecAggClient;
import org.medfed.crypto.secagg.SecAggException;
import org.medfed.crypto.secagg.SecAggMessage.AdvertiseKeys;
import org.medfed.crypto.secagg.SecAggMessage.EncryptedShare;
import org.medfed.crypto.secagg.SecAggMessage.MaskedInput;
import org.medfed.crypto.secagg.SecAggMessage.ShareKeys;
import org.medfed.crypto.secagg.SecAggMessage.UnmaskRequest;
import org.medfed.crypto.secagg.SecAggMessage.UnmaskShares;
import org.medfed.crypto.secagg.SecAggServer;
import org.medfed.crypto.secagg.SignatureVerifier;
import org.medfed.crypto.sign.Signatures;
import org.medfed.crypto.sign.Verifier;

/**
 * Measures the secure-aggregation protocol core in one process (no network): for n sites, d
 * parameters and a share of sites dropping before masked input (the costly case for the
 * coordinator), the coordinator's unmasking time, each site's SecAgg work (advertise + share + mask
 * + unmask, also per phase), each site's upload, and the same against a plaintext round (summing
 * float32 updates, uploading 4·d bytes). Sites sign their advertised keys with ECDSA P-256, the
 * keys MedFed's certificates carry. A benchmark, not a test: {@code
 * deploy/local/benchmark-secagg.sh}.
 *
 * <p>Each configuration runs {@code --warmup} rounds of its own shape first (not reported, so the
 * JIT has compiled the paths that shape uses), then {@code --rounds} measured rounds, each with a
 * fresh random set of dropped sites; a row reports the median over the measured rounds that
 * completed. Wall-clock times are reported, and the per-site thread CPU time too, which a busy
 * machine disturbs less. Options: {@code --warmup W} (default 2), {@code --rounds R} (default 5),
 * {@code --only n:d} (repeatable; only these shapes), {@code --dropout percent} (repeatable; only
 * these dropout rates).
 */
public final class SecAggBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private SecAggBenchmark() {}

  /** One measured round; times in nanoseconds, per-site values averaged over the survivors. */
  private record Round(
      double coordinator,
      double plaintext,
      double perSite,
      double perSiteCpu,
      double advertise,
      double share,
      double mask,
      double unmask,
      double uploadBytes) {}

  public static void main(String[] args) throws Exception {
    int warmup = 2;
    int rounds = 5;
    List<String> only = new ArrayList<>();
    List<Double> dropouts = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--only" -> only.add(args[++i]);
        case "--dropout" -> dropouts.add(Integer.parseInt(args[++i]) / 100.0);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (warmup < 0 || rounds < 1) {
      throw new IllegalArgumentException("need --warmup >= 0 and --rounds >= 1");
    }
    SecureRandom random = new SecureRandom();
    System.out.printf(
        "Median of %d measured rounds per row, after %d warm-up rounds of the same shape.%n%n",
        rounds, warmup);
    System.out.println(
        "| n | d | graph | dropout | coordinator unmasking ms | plaintext sum ms | per-site"
            + " SecAgg ms | advertise | share | mask | unmask | per-site CPU ms | site upload"
            + " bytes | upload / float32 update | rounds |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    int[][] shapes = {
      {4, 10_000}, {10, 10_000}, {100, 10_000}, {4, 1_000_000}, {10, 1_000_000}, {100, 1_000_000}
    };
    for (int[] shape : shapes) {
      if (!only.isEmpty() && !only.contains(shape[0] + ":" + shape[1])) {
        continue;
      }
      for (double dropout : dropouts.isEmpty() ? List.of(0.0, 0.1, 0.3) : dropouts) {
        // The complete graph at n = 100, d = 10^6 means 100 x 99 mask streams of 4 MB in one
        // process (about half an hour here): not run; SecAgg+ is the configuration for it.
        if (!(shape[0] == 100 && shape[1] == 1_000_000)) {
          row(shape[0], shape[1], dropout, false, warmup, rounds, random);
        }
        if (shape[0] == 100) {
          row(shape[0], shape[1], dropout, true, warmup, rounds, random);
        }
      }
    }
  }

  /** Runs warm-up and measured rounds of one configuration and prints their medians. */
  private static void row(
      int n, int d, double dropout, boolean secAggPlus, int warmup, int rounds, SecureRandom random)
      throws Exception {
    List<Round> measured = new ArrayList<>();
    String graphName = secAggPlus ? "SecAgg+ k=" + degree(n) : "complete";
    String refusal = null;
    for (int i = 0; i < warmup + rounds; i++) {
      try {
        Round round = run(n, d, dropout, secAggPlus, random);
        if (i >= warmup) {
          measured.add(round);
        }
      } catch (SecAggException e) {
        // A round the protocol refuses (too few share holders survive) is a result too.
        if (i >= warmup) {
          refusal = e.getMessage();
        }
      }
    }
    String roundsCell =
        measured.size() == rounds
            ? String.valueOf(rounds)
            : measured.size() + " of " + rounds + " (others refused: " + refusal + ")";
    if (measured.isEmpty()) {
      System.out.printf(
          "| %d | %d | %s | %.0f%% | all rounds refused: %s | | | | | | | | | | %s |%n",
          n, d, graphName, dropout * 100, refusal, rounds);
      return;
    }
    double upload = median(measured, Round::uploadBytes);
    System.out.printf(
        "| %d | %d | %s | %.0f%% | %.1f | %.2f | **%.1f** | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f"
            + " | %.4f | %s |%n",
        n,
        d,
        graphName,
        dropout * 100,
        median(measured, Round::coordinator) / 1e6,
        median(measured, Round::plaintext) / 1e6,
        median(measured, Round::perSite) / 1e6,
        median(measured, Round::advertise) / 1e6,
        median(measured, Round::share) / 1e6,
        median(measured, Round::mask) / 1e6,
        median(measured, Round::unmask) / 1e6,
        median(measured, Round::perSiteCpu) / 1e6,
        upload,
        upload / (4.0 * d),
        roundsCell);
  }

  private static double median(List<Round> rounds, ToDoubleFunction<Round> value) {
    double[] values = rounds.stream().mapToDouble(value).sorted().toArray();
    int middle = values.length / 2;
    return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
  }

  /** Even, about 2 log2 n. */
  private static int degree(int n) {
    return 2 * (int) Math.ceil(Math.log(n) / Math.log(2));
  }

  /** Per-site totals of one round, indexed by phase: 0 advertise, 1 share, 2 mask, 3 unmask. */
  private static final class SiteClock {
    final long[] wall = new long[4];
    long cpu;
    long bytes;
    private long wallStart;
    private long cpuStart;

    void start() {
      cpuStart = THREADS.getCurrentThreadCpuTime();
      wallStart = System.nanoTime();
    }

    void stop(int phase) {
      wall[phase] += System.nanoTime() - wallStart;
      cpu += THREADS.getCurrentThreadCpuTime() - cpuStart;
    }

    long total() {
      return Arrays.stream(wall).sum();
    }
  }

  private static Round run(int n, int d, double dropout, boolean secAggPlus, SecureRandom random)
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
      graph = new MaskingGraph.Harary(degree(n), seed);
      threshold = Math.min(threshold, degree(n) / 2 + 1);
    }
    RoundParameters parameters =
        new RoundParameters(1, sites, d, threshold, Quantizer.withHeadroom(1.0, n), graph);

    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    Map<String, SecAggClient> clients = new HashMap<>();
    Map<String, Verifier> verifiers = new HashMap<>();
    SignatureVerifier verify =
        (site, message, signature) ->
            verifiers.containsKey(site) && verifiers.get(site).verify(signature, message);
    Map<String, SiteClock> clocks = new HashMap<>();
    for (String site : sites) {
      KeyPair keys = generator.generateKeyPair();
      verifiers.put(site, Signatures.verifier(keys.getPublic()));
      var signer = Signatures.signer(keys.getPrivate());
      clients.put(site, SecAggClient.create(parameters, site, signer::sign, verify, random));
      clocks.put(site, new SiteClock());
    }
    double[] update = new double[d];
    for (int i = 0; i < d; i++) {
      update[i] = random.nextDouble(-1, 1);
    }

    SecAggServer server = new SecAggServer(parameters, verify);
    for (String site : sites) {
      SiteClock clock = clocks.get(site);
      clock.start();
      AdvertiseKeys advertised = clients.get(site).advertiseKeys();
      clock.stop(0);
      clock.bytes += 64 + advertised.signature().length;
      server.receive(site, advertised);
    }
    List<AdvertiseKeys> keys = server.closeAdvertising();
    for (String site : sites) {
      SiteClock clock = clocks.get(site);
      clock.start();
      ShareKeys shares = clients.get(site).shareKeys(keys);
      clock.stop(1);
      clock.bytes += shares.shares().stream().mapToLong(s -> s.ciphertext().length).sum();
      server.receive(site, shares);
    }
    Map<String, List<EncryptedShare>> routed = server.closeSharing();
    List<String> shuffled = new ArrayList<>(sites);
    Collections.shuffle(shuffled, random);
    Set<String> droppedSites = Set.copyOf(shuffled.subList(0, (int) Math.floor(n * dropout)));
    List<String> survivors = sites.stream().filter(s -> !droppedSites.contains(s)).toList();
    for (String site : survivors) {
      SiteClock clock = clocks.get(site);
      clock.start();
      MaskedInput masked = clients.get(site).maskInput(routed.get(site), update);
      clock.stop(2);
      clock.bytes += 4L * masked.length();
      server.receive(site, masked);
    }
    long coordinatorStart = System.nanoTime();
    UnmaskRequest request = server.closeMasking();
    long coordinatorNanos = System.nanoTime() - coordinatorStart;
    for (String site : request.survivors()) {
      SiteClock clock = clocks.get(site);
      clock.start();
      UnmaskShares shares = clients.get(site).unmask(request);
      clock.stop(3);
      clock.bytes += shares.shares().stream().mapToLong(r -> r.share().length).sum();
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

    List<SiteClock> survived = survivors.stream().map(clocks::get).toList();
    return new Round(
        coordinatorNanos,
        plainNanos,
        average(survived, SiteClock::total),
        average(survived, c -> c.cpu),
        average(survived, c -> c.wall[0]),
        average(survived, c -> c.wall[1]),
        average(survived, c -> c.wall[2]),
        average(survived, c -> c.wall[3]),
        average(survived, c -> c.bytes));
  }

  private static double average(
      List<SiteClock> clocks, java.util.function.ToLongFunction<SiteClock> value) {
    return clocks.stream().mapToLong(value).average().orElse(0);
  }
}
