package org.medfed.site.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.crypto.dp.RdpAccountant;
import org.medfed.crypto.dp.RdpConversion;
import org.medfed.crypto.dp.SampledGaussian;

class PrivacyLedgerTest {
  private static final SampledGaussian ROUND = new SampledGaussian(0.05, 1.5);
  private static final long STEPS = 50;
  private static final PrivacyCap CAP = new PrivacyCap(4.0, 1e-3);
  private static final int RECORDS = 199;

  @TempDir Path stateDir;

  private static double epsilonOf(long rounds, double delta) {
    return RdpAccountant.create()
        .plus(ROUND, rounds * STEPS)
        .privacySpent(delta, RdpConversion.BALLE_2020)
        .epsilon();
  }

  @Test
  void chargesComposeOverRoundsUnderTheTightConversion() {
    PrivacyLedger ledger = PrivacyLedger.open(stateDir, CAP, RECORDS);
    assertEquals(0.0, ledger.epsilonSpent());
    PrivacyCharge first = ledger.charge("heart", 1, ROUND, STEPS);
    PrivacyCharge second = ledger.charge("heart", 2, ROUND, STEPS);
    assertEquals(epsilonOf(1, 1e-3), first.epsilonSpent(), 1e-12);
    assertEquals(epsilonOf(2, 1e-3), second.epsilonSpent(), 1e-12);
    assertEquals(epsilonOf(2, 1e-3), ledger.epsilonSpent(), 1e-12);
    assertTrue(second.epsilonSpent() > first.epsilonSpent());
  }

  @Test
  void aRestartedSiteReloadsItsChargesAndContinues() {
    PrivacyLedger before = PrivacyLedger.open(stateDir, CAP, RECORDS);
    before.charge("heart", 1, ROUND, STEPS);
    before.charge("lungs", 1, new SampledGaussian(0.1, 2.0), 30);

    PrivacyLedger after = PrivacyLedger.open(stateDir, CAP, RECORDS);
    assertEquals(before.charges(), after.charges());
    assertEquals(before.epsilonSpent(), after.epsilonSpent(), 0.0);

    PrivacyCharge third = after.charge("heart", 2, ROUND, STEPS);
    double expected =
        RdpAccountant.create()
            .plus(ROUND, 2 * STEPS)
            .plus(new SampledGaussian(0.1, 2.0), 30)
            .privacySpent(1e-3, RdpConversion.BALLE_2020)
            .epsilon();
    assertEquals(expected, third.epsilonSpent(), 1e-12);
    assertEquals(3, PrivacyLedger.open(stateDir, CAP, RECORDS).charges().size());
  }

  @Test
  void theRoundThatWouldCrossTheCapIsDeclinedWithOneSentence() throws Exception {
    // Two rounds fit under the cap, a third would not.
    double cap = (epsilonOf(2, 1e-3) + epsilonOf(3, 1e-3)) / 2;
    PrivacyLedger ledger = PrivacyLedger.open(stateDir, new PrivacyCap(cap, 1e-3), RECORDS);
    assertEquals(Optional.empty(), ledger.wouldExceed(ROUND, STEPS));
    ledger.charge("heart", 1, ROUND, STEPS);
    ledger.charge("heart", 2, ROUND, STEPS);
    String ledgerBefore = Files.readString(stateDir.resolve(PrivacyLedger.FILE_NAME));

    Optional<String> reason = ledger.wouldExceed(ROUND, STEPS);
    assertTrue(reason.isPresent());
    String would = String.format(java.util.Locale.ROOT, "%.4f", epsilonOf(3, 1e-3));
    assertTrue(reason.get().contains("epsilon " + would), reason.get());
    assertTrue(reason.get().contains("cap of epsilon " + cap), reason.get());
    assertFalse(reason.get().contains(". "), "one sentence: " + reason.get());

    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> ledger.charge("heart", 3, ROUND, STEPS));
    assertEquals(reason.get(), refused.getMessage());
    assertEquals(2, ledger.charges().size());
    assertEquals(ledgerBefore, Files.readString(stateDir.resolve(PrivacyLedger.FILE_NAME)));
    // A cheaper round still fits.
    assertEquals(Optional.empty(), ledger.wouldExceed(ROUND, 1));
  }

  @Test
  void deltaAtOrAboveOneOverRecordsIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PrivacyLedger.open(stateDir, new PrivacyCap(1.0, 0.01), 100));
    assertEquals(
        "privacy cap delta 0.01 must be below 1/100 (one over the site's 100 records), or a whole"
            + " record could leak with probability delta",
        e.getMessage());
    PrivacyLedger.open(stateDir, new PrivacyCap(1.0, 0.0099), 100);
  }

  @Test
  void aLeftoverTemporaryFileDoesNotCorruptTheLedger() throws Exception {
    PrivacyLedger ledger = PrivacyLedger.open(stateDir, CAP, RECORDS);
    ledger.charge("heart", 1, ROUND, STEPS);
    // A crash between writing the temporary file and renaming it leaves a torn temporary file.
    Path temp = stateDir.resolve(PrivacyLedger.FILE_NAME + ".tmp");
    Files.writeString(temp, "{\"format\": 1, \"charges\": [{\"study\": \"he");

    PrivacyLedger restarted = PrivacyLedger.open(stateDir, CAP, RECORDS);
    assertEquals(ledger.charges(), restarted.charges());
    restarted.charge("heart", 2, ROUND, STEPS);
    assertFalse(Files.exists(temp));
    assertEquals(2, PrivacyLedger.open(stateDir, CAP, RECORDS).charges().size());
  }

  @Test
  void anUnreadableLedgerStopsTheSiteInsteadOfStartingFromZero() throws Exception {
    Path file = stateDir.resolve(PrivacyLedger.FILE_NAME);
    Files.writeString(file, "{\"format\": 1, \"charges\": [");
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> PrivacyLedger.open(stateDir, CAP, RECORDS));
    assertTrue(e.getMessage().startsWith("cannot read the privacy ledger " + file + ": "));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());

    Files.writeString(
        file,
        "{\"format\": 1, \"charges\": [{\"study\": \"x\", \"round\": 1, \"steps\": 5,"
            + " \"sampling_rate\": 0.1, \"noise_multiplier\": 0, \"epsilon_spent\": 1,"
            + " \"delta\": 1e-5, \"time\": \"2026-01-01T00:00:00Z\"}]}");
    assertThrows(UncheckedIOException.class, () -> PrivacyLedger.open(stateDir, CAP, RECORDS));
  }

  @Test
  void theFileRecordsEveryChargeForTheAuditor() throws Exception {
    PrivacyLedger ledger = PrivacyLedger.open(stateDir, CAP, RECORDS);
    ledger.charge("heart", 7, ROUND, STEPS);
    String text = Files.readString(stateDir.resolve(PrivacyLedger.FILE_NAME));
    for (String field :
        List.of(
            "\"study\" : \"heart\"",
            "\"round\" : 7",
            "\"steps\" : 50",
            "\"sampling_rate\" : 0.05",
            "\"noise_multiplier\" : 1.5",
            "\"epsilon_spent\"",
            "\"delta\" : 0.001")) {
      assertTrue(text.contains(field), field + " missing from " + text);
    }
  }

  @Test
  void badChargesAreRefused() {
    PrivacyLedger ledger = PrivacyLedger.open(stateDir, CAP, RECORDS);
    assertThrows(IllegalArgumentException.class, () -> ledger.charge(" ", 1, ROUND, STEPS));
    assertThrows(IllegalArgumentException.class, () -> ledger.charge("heart", -1, ROUND, STEPS));
    assertThrows(IllegalArgumentException.class, () -> ledger.charge("heart", 1, ROUND, 0));
    assertTrue(ledger.charges().isEmpty());
    assertThrows(IllegalArgumentException.class, () -> new PrivacyCap(0.0, 1e-5));
    assertThrows(IllegalArgumentException.class, () -> new PrivacyCap(1.0, 1.0));
  }
}
