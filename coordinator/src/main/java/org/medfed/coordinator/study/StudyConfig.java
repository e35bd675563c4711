package org.medfed.coordinator.study;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.medfed.coordinator.strategy.StrategyConfig;

/**
 * One federated study: what to train, where, and how the rounds run. Read it with {@link
 * StudyConfigLoader}.
 *
 * @param id the study's identifier: lowercase letters, digits and hyphens
 * @param title a human-readable name
 * @param model the model and its features
 * @param rounds how many federated rounds to run, at least 1
 * @param seed the seed from which every random choice of the study derives
 * @param localTraining what each site does per round
 * @param strategy how the coordinator aggregates
 * @param sites the participating sites' ids, unique
 * @param minSites the fewest updates a round may aggregate, between 1 and the number of sites
 * @param roundDeadline how long the coordinator waits for updates in a round, positive
 * @param onRoundFailure what happens when fewer than {@code minSites} updates arrive in time
 * @param privacy the sites' DP-SGD settings, or null for training without differential privacy
 * @param secureAggregation how updates are aggregated securely, or null for plaintext updates
 */
public record StudyConfig(
    String id,
    String title,
    ModelConfig model,
    int rounds,
    long seed,
    LocalTrainingConfig localTraining,
    StrategyConfig strategy,
    List<String> sites,
    int minSites,
    Duration roundDeadline,
    RoundFailurePolicy onRoundFailure,
    PrivacyConfig privacy,
    SecureAggregationConfig secureAggregation) {

  /** The form of study and site ids, safe in file names, URLs and log lines. */
  static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]*");

  public StudyConfig {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(localTraining, "localTraining");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(roundDeadline, "roundDeadline");
    Objects.requireNonNull(onRoundFailure, "onRoundFailure");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("id '" + id + "' must match " + ID.pattern());
    }
    if (title.isBlank()) {
      throw new IllegalArgumentException("title must not be blank");
    }
    if (rounds < 1) {
      throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
    }
    sites = List.copyOf(sites);
    if (sites.isEmpty()) {
      throw new IllegalArgumentException("sites must not be empty");
    }
    Set<String> seen = new HashSet<>();
    for (String site : sites) {
      if (!ID.matcher(site).matches()) {
        throw new IllegalArgumentException("site '" + site + "' must match " + ID.pattern());
      }
      if (!seen.add(site)) {
        throw new IllegalArgumentException("site '" + site + "' appears twice");
      }
    }
    if (minSites < 1 || minSites > sites.size()) {
      throw new IllegalArgumentException(
          "minSites must be between 1 and " + sites.size() + ", got " + minSites);
    }
    if (roundDeadline.isNegative() || roundDeadline.isZero()) {
      throw new IllegalArgumentException("roundDeadline must be positive, got " + roundDeadline);
    }
  }
}
