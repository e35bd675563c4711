package org.medfed.crypto.aggregation;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators of rounds for the property tests. */
final class Rounds {
  private Rounds() {}

  /** One round's inputs: the global weights and the sites' updates. */
  record Round(double[] global, List<SiteUpdate> updates) {}

  static Arbitrary<double[]> vectors(int dimension) {
    return Arbitraries.doubles().between(-100, 100).array(double[].class).ofSize(dimension);
  }

  static Arbitrary<Long> exampleCounts() {
    return Arbitraries.longs().between(1, 100_000);
  }

  /** Between one and eight updates of the given dimension from distinct sites. */
  static Arbitrary<List<SiteUpdate>> updates(int dimension) {
    return Combinators.combine(vectors(dimension), exampleCounts())
        .as((delta, n) -> new SiteUpdate("unnamed", delta, n))
        .list()
        .ofMinSize(1)
        .ofMaxSize(8)
        .map(
            generated -> {
              List<SiteUpdate> named = new ArrayList<>();
              for (int i = 0; i < generated.size(); i++) {
                SiteUpdate update = generated.get(i);
                named.add(new SiteUpdate("site-" + i, update.delta(), update.numExamples()));
              }
              return List.copyOf(named);
            });
  }

  static Arbitrary<Round> rounds() {
    return Arbitraries.integers()
        .between(1, 6)
        .flatMap(d -> Combinators.combine(vectors(d), updates(d)).as(Round::new));
  }

  /** Several consecutive rounds' updates for one model of dimension {@code dimension}. */
  static Arbitrary<List<List<SiteUpdate>>> history(int dimension) {
    return updates(dimension).list().ofMinSize(1).ofMaxSize(6);
  }

  static void assertClose(double expected, double actual, String what) {
    double tolerance = 1e-9 * (1 + Math.abs(expected));
    if (!(Math.abs(expected - actual) <= tolerance)) {
      throw new AssertionError(what + ": expected " + expected + " but was " + actual);
    }
  }
}
