package org.medfed.site.privacy;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.medfed.crypto.dp.RdpAccountant;
import org.medfed.crypto.dp.RdpConversion;
import org.medfed.crypto.dp.SampledGaussian;
import org.medfed.site.train.DpSgdSettings;

/**
 * The site's own enforcement of its privacy policy, whatever a study asks: with a cap, only
 * differentially private studies are joined, a study that alone would exceed the cap is declined,
 * and every round is checked against (and charged to) the persisted {@link PrivacyLedger} before
 * its update leaves. Without a cap, private studies are still accounted per study so their ε can be
 * reported and logged.
 */
public final class PrivacyGuard {
  private static final RdpConversion CONVERSION = RdpConversion.BALLE_2020;

  private final Path stateDir;
  private final PrivacyCap cap;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, RdpAccountant> uncapped = new HashMap<>();
  private final Map<String, RdpAccountant> collusion = new HashMap<>();
  private PrivacyLedger ledger;

  /**
   * @param cap the site's cap, or null when its policy sets none
   */
  public PrivacyGuard(Path stateDir, PrivacyCap cap) {
    this.stateDir = stateDir;
    this.cap = cap;
  }

  /** The site's cap, which it declares when it answers an invitation. */
  public Optional<PrivacyCap> cap() {
    return Optional.ofNullable(cap);
  }

  /** A guard for a site without a cap: accepts studies with or without DP. */
  public static PrivacyGuard uncapped() {
    return new PrivacyGuard(null, null);
  }

  /**
   * Why the site must decline a study, or empty.
   *
   * @param dp the study's DP-SGD settings, or null for a study without differential privacy
   * @param totalSteps local steps over all the study's rounds
   */
  public synchronized Optional<String> checkStudy(
      DpSgdSettings dp, double delta, long totalSteps, long trainRecords) {
    if (dp == null) {
      return checkNonPrivate();
    }
    return checkStudy(dp.mechanism(), delta, totalSteps, trainRecords);
  }

  /**
   * Why the site must decline a private study, or empty.
   *
   * @param step what one step (one round, with distributed noise) costs at the least
   * @param totalSteps steps over all the study's rounds
   */
  public synchronized Optional<String> checkStudy(
      SampledGaussian step, double delta, long totalSteps, long trainRecords) {
    if (!(delta > 0) || delta >= 1.0 / trainRecords) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "the study's delta %s is not below 1/records = 1/%d for this site's training"
                  + " records",
              delta,
              trainRecords));
    }
    if (cap == null) {
      return Optional.empty();
    }
    if (cap.delta() >= 1.0 / trainRecords) {
      return Optional.of(
          "this site's privacy cap delta "
              + cap.delta()
              + " is not below 1/records = 1/"
              + trainRecords
              + ": fix the site's policy");
    }
    double alone =
        RdpAccountant.create()
            .plus(step, totalSteps)
            .privacySpent(cap.delta(), CONVERSION)
            .epsilon();
    if (alone > cap.epsilon()) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "the study alone would spend epsilon %.4f at delta %s, above this site's cap of"
                  + " epsilon %s",
              alone,
              cap.delta(),
              cap.epsilon()));
    }
    ledger(trainRecords);
    return Optional.empty();
  }

  /** Why the site must decline training without differential privacy, or empty: it has a cap. */
  public Optional<String> checkNonPrivate() {
    return cap == null
        ? Optional.empty()
        : Optional.of(
            String.format(
                Locale.ROOT,
                "this site requires differential privacy (its cap is epsilon %s at delta %s)"
                    + " and the study trains without it",
                cap.epsilon(),
                cap.delta()));
  }

  /** Why the site must decline this round, or empty: the round would cross the cap. */
  public synchronized Optional<String> checkRound(DpSgdSettings dp, long steps, long trainRecords) {
    return checkRound(dp.mechanism(), steps, trainRecords);
  }

  /** As {@link #checkRound(DpSgdSettings, long, long)} for {@code steps} steps of {@code step}. */
  public synchronized Optional<String> checkRound(
      SampledGaussian step, long steps, long trainRecords) {
    return cap == null ? Optional.empty() : ledger(trainRecords).wouldExceed(step, steps);
  }

  /**
   * Charges a round before its update leaves and returns the privacy loss to report: the site's
   * total ε at its cap's δ, or without a cap this study's ε at the study's δ.
   */
  public synchronized double charge(
      String study, int round, DpSgdSettings dp, long steps, double delta, long trainRecords) {
    return charge(study, round, dp.mechanism(), steps, delta, trainRecords);
  }

  /**
   * As {@link #charge(String, int, DpSgdSettings, long, double, long)} for any sampled Gaussian.
   */
  public synchronized double charge(
      String study, int round, SampledGaussian step, long steps, double delta, long trainRecords) {
    if (cap != null) {
      ledger(trainRecords).charge(study, round, step, steps);
      return ledger.epsilonSpent();
    }
    RdpAccountant next = uncapped.getOrDefault(study, RdpAccountant.create()).plus(step, steps);
    uncapped.put(study, next);
    return next.privacySpent(delta, CONVERSION).epsilon();
  }

  /**
   * Adds a distributed-noise round to the study's worst case, where the coordinator colludes with
   * every other site and only this site's own noise share protects its records, and returns that ε
   * at the cap's δ (the study's without a cap). It is reported, not enforced: the cap holds for the
   * guarantee with honest sites. Kept in memory, so it restarts with the site.
   */
  public synchronized double chargeIfOthersCollude(
      String study, SampledGaussian ownNoiseOnly, double delta) {
    RdpAccountant next =
        collusion.getOrDefault(study, RdpAccountant.create()).plus(ownNoiseOnly, 1);
    collusion.put(study, next);
    return next.privacySpent(cap == null ? delta : cap.delta(), CONVERSION).epsilon();
  }

  /** The source of DP-SGD's sampling and noise: cryptographically secure. */
  public SecureRandom random() {
    return random;
  }

  private PrivacyLedger ledger(long trainRecords) {
    if (ledger == null) {
      ledger = PrivacyLedger.open(stateDir, cap, trainRecords);
    }
    return ledger;
  }
}
