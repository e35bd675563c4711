package org.medfed.site.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import net.jqwik.api.constraints.Size;
import org.medfed.crypto.dp.SampledGaussian;

class PrivacyLedgerPropertyTest {
  @Property(tries = 25)
  void spentNeverDecreasesNeverExceedsTheCapAndSurvivesReopening(
      @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 400) Integer> rounds,
      @ForAll @DoubleRange(min = 0.01, max = 1.0) @Scale(3) double q,
      @ForAll @DoubleRange(min = 0.7, max = 3.0) @Scale(3) double sigma,
      @ForAll @DoubleRange(min = 0.5, max = 8.0) @Scale(3) double capEpsilon)
      throws IOException {
    Path dir = Files.createTempDirectory("privacy-ledger");
    try {
      PrivacyCap cap = new PrivacyCap(capEpsilon, 1e-4);
      PrivacyLedger ledger = PrivacyLedger.open(dir, cap, 1000);
      SampledGaussian mechanism = new SampledGaussian(q, sigma);
      double last = 0.0;
      int round = 0;
      for (int steps : rounds) {
        if (ledger.wouldExceed(mechanism, steps).isEmpty()) {
          ledger.charge("study", round++, mechanism, steps);
        }
        double spent = ledger.epsilonSpent();
        assertTrue(spent >= last && spent <= capEpsilon, spent + " after " + last);
        last = spent;
      }
      PrivacyLedger reopened = PrivacyLedger.open(dir, cap, 1000);
      assertEquals(ledger.charges(), reopened.charges());
      assertEquals(last, reopened.epsilonSpent(), 1e-12);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
