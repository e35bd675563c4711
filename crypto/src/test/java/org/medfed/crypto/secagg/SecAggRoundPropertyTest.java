package org.medfed.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

class SecAggRoundPropertyTest {
  private static final Phase[] PROTOCOL_PHASES = {
    Phase.ADVERTISE_KEYS, Phase.SHARE_KEYS, Phase.MASKED_INPUT, Phase.UNMASKING
  };
  private static final double CLIP = 1.0;

  @Property(tries = 150)
  void unmaskedSumIsSurvivorsPlaintextSumOrRoundFailsBelowThreshold(
      @ForAll @IntRange(min = 3, max = 12) int n,
      @ForAll @IntRange(min = 1, max = 64) int d,
      @ForAll @IntRange(min = 0, max = 100) int thresholdPercent,
      @ForAll @IntRange(min = 4, max = 31) int bits,
      @ForAll("dropouts") List<Integer> dropouts,
      @ForAll long dataSeed)
      throws Exception {
    int threshold = 2 + (n - 2) * thresholdPercent / 100;
    Quantizer quantizer = new Quantizer(CLIP, Math.min(bits, maxBits(n)), n);
    List<String> sites = SimulatedFederation.siteIds(n);
    RoundParameters parameters =
        new RoundParameters(7, sites, d, threshold, quantizer, new MaskingGraph.Complete());
    Map<Phase, Set<String>> dropsAt = dropsAt(dropouts, sites);
    Map<String, double[]> updates = updates(sites, d, dataSeed);

    SimulatedFederation.Outcome outcome = new SimulatedFederation(parameters).run(updates, dropsAt);

    Set<String> alive = new TreeSet<>(sites);
    Phase expectedFailure = null;
    for (Phase phase : PROTOCOL_PHASES) {
      alive.removeAll(dropsAt.getOrDefault(phase, Set.of()));
      if (alive.size() < threshold) {
        expectedFailure = phase;
        break;
      }
    }
    Statistics.label("outcome")
        .collect(expectedFailure == null ? "completed" : "failed in " + expectedFailure);
    Statistics.label("dropped after sharing")
        .collect(!dropsAt.getOrDefault(Phase.MASKED_INPUT, Set.of()).isEmpty());
    if (expectedFailure != null) {
      assertNull(outcome.result(), "no sum below threshold");
      assertNotNull(outcome.failure());
      assertEquals(SecAggException.Reason.BELOW_THRESHOLD, outcome.failure().reason());
      assertEquals(expectedFailure, outcome.failedIn());
      assertEquals(Phase.FAILED, outcome.server().phase());
      SecAggException later = assertThrows(SecAggException.class, outcome.server()::finish);
      assertEquals(SecAggException.Reason.ROUND_FAILED, later.reason());
      return;
    }
    assertNull(outcome.failure(), () -> String.valueOf(outcome.failure()));
    Set<String> contributors = new TreeSet<>(sites);
    contributors.removeAll(dropsAt.getOrDefault(Phase.ADVERTISE_KEYS, Set.of()));
    contributors.removeAll(dropsAt.getOrDefault(Phase.SHARE_KEYS, Set.of()));
    contributors.removeAll(dropsAt.getOrDefault(Phase.MASKED_INPUT, Set.of()));
    assertEquals(List.copyOf(contributors), outcome.result().contributors());
    assertWithinBound(plainSum(updates, contributors, d), outcome.result(), quantizer);
  }

  @Property(tries = 60)
  void secAggPlusSumIsExactOrRoundIsRefusedNeverWrong(
      @ForAll @IntRange(min = 5, max = 12) int n,
      @ForAll @IntRange(min = 1, max = 32) int d,
      @ForAll @IntRange(min = 0, max = 100) int degreePercent,
      @ForAll @IntRange(min = 0, max = 100) int thresholdPercent,
      @ForAll("dropouts") List<Integer> dropouts,
      @ForAll long seed)
      throws Exception {
    int degree = 2 * (1 + ((n - 1) / 2 - 1) * degreePercent / 100);
    int threshold = 2 + (degree - 1) * thresholdPercent / 100;
    byte[] roundSeed = new byte[32];
    new Random(seed).nextBytes(roundSeed);
    List<String> sites = SimulatedFederation.siteIds(n);
    Quantizer quantizer = Quantizer.withHeadroom(CLIP, n);
    RoundParameters parameters =
        new RoundParameters(
            3, sites, d, threshold, quantizer, new MaskingGraph.Harary(degree, roundSeed));
    Map<Phase, Set<String>> dropsAt = dropsAt(dropouts, sites);
    Map<String, double[]> updates = updates(sites, d, seed);

    SimulatedFederation.Outcome outcome = new SimulatedFederation(parameters).run(updates, dropsAt);

    Statistics.label("outcome")
        .collect(outcome.failure() == null ? "completed" : outcome.failure().reason());
    if (outcome.failure() != null) {
      assertTrue(
          Set.of(SecAggException.Reason.BELOW_THRESHOLD, SecAggException.Reason.PRIVACY_VIOLATION)
              .contains(outcome.failure().reason()),
          () -> outcome.failure().toString());
      assertTrue(dropouts.size() > 0, "a round without dropouts must complete");
      return;
    }
    Set<String> contributors = new HashSet<>(outcome.result().contributors());
    assertWithinBound(plainSum(updates, contributors, d), outcome.result(), quantizer);
  }

  @Provide
  Arbitrary<List<Integer>> dropouts() {
    // Each entry drops site (v % 12) % n at the start of phase v / 12.
    return Arbitraries.integers().between(0, 4 * 12 - 1).list().ofMaxSize(8);
  }

  static Map<Phase, Set<String>> dropsAt(List<Integer> dropouts, List<String> sites) {
    Map<Phase, Set<String>> out = new EnumMap<>(Phase.class);
    for (int v : dropouts) {
      Phase phase = PROTOCOL_PHASES[v / 12];
      out.computeIfAbsent(phase, p -> new HashSet<>()).add(sites.get((v % 12) % sites.size()));
    }
    return out;
  }

  static Map<String, double[]> updates(List<String> sites, int d, long seed) {
    Random random = new Random(seed);
    Map<String, double[]> out = new HashMap<>();
    for (String site : sites) {
      double[] update = new double[d];
      for (int i = 0; i < d; i++) {
        update[i] = (random.nextDouble() * 2 - 1) * 1.5 * CLIP;
      }
      out.put(site, update);
    }
    return out;
  }

  static double[] plainSum(Map<String, double[]> updates, Set<String> sites, int d) {
    return plainSumClipped(updates, sites, d, CLIP);
  }

  static double[] plainSumClipped(
      Map<String, double[]> updates, Set<String> sites, int d, double clip) {
    double[] sum = new double[d];
    for (String site : sites) {
      double[] update = updates.get(site);
      for (int i = 0; i < d; i++) {
        sum[i] += Math.max(-clip, Math.min(clip, update[i]));
      }
    }
    return sum;
  }

  static void assertWithinBound(double[] expected, AggregateResult result, Quantizer quantizer) {
    double bound = quantizer.errorBound(result.contributors().size());
    assertEquals(bound, result.errorBound());
    double[] actual = result.sum();
    List<String> violations = new ArrayList<>();
    for (int i = 0; i < expected.length; i++) {
      if (Math.abs(actual[i] - expected[i]) >= bound) {
        violations.add(i + ": " + actual[i] + " vs " + expected[i]);
      }
    }
    assertTrue(violations.isEmpty(), () -> "outside bound " + bound + ": " + violations);
  }

  static int maxBits(int n) {
    int bits = 31;
    while ((long) n * ((1L << (bits - 1)) - 1) > Integer.MAX_VALUE) {
      bits--;
    }
    return bits;
  }
}
