package org.medfed.coordinator.api;

import java.util.List;
import org.medfed.coordinator.round.RoundRecord;
import org.medfed.coordinator.round.SiteRoundResult;
import org.medfed.coordinator.round.StudyCheckpoint;
import org.medfed.coordinator.round.StudyView;
import org.medfed.coordinator.study.SecureAggregationConfig;
import org.medfed.coordinator.study.StudyConfig;

/** The REST API's JSON shapes. Non-finite numbers (e.g. an undefined AUC) become null. */
final class StudyJson {
  private StudyJson() {}

  record Error(String message) {}

  record Summary(
      String id,
      String title,
      String status,
      String outcome,
      String strategy,
      int roundsPlanned,
      long roundsCompleted,
      long roundsFailed,
      long modelVersion,
      int openRound,
      String openPhase) {}

  record Site(String site, String enrolment, String reason) {}

  record Detail(
      Summary summary,
      int minSites,
      long roundDeadlineMillis,
      List<Site> sites,
      SecureAggregation secureAggregation) {}

  /** How the study aggregates; the threshold is for a round with every invited site. */
  record SecureAggregation(
      boolean enabled,
      String protocol,
      int threshold,
      int neighbours,
      double clip,
      long phaseDeadlineMillis) {}

  record Evaluation(long testRecords, Double accuracy, Double auc, Double loss) {}

  record SiteResult(
      String site,
      String outcome,
      String detail,
      long numExamples,
      Double trainLoss,
      Evaluation evaluation) {}

  record Round(
      int round,
      String status,
      String reason,
      String openedAt,
      String closedAt,
      long modelVersion,
      Double clientAverageAccuracy,
      List<SiteResult> sites) {}

  static Summary summary(StudyView view) {
    StudyCheckpoint checkpoint = view.checkpoint();
    return new Summary(
        view.study().id(),
        view.study().title(),
        checkpoint.status().name().toLowerCase(java.util.Locale.ROOT),
        checkpoint.outcome(),
        view.study().strategy().name(),
        view.study().rounds(),
        checkpoint.roundsCompleted(),
        checkpoint.rounds().size() - checkpoint.roundsCompleted(),
        checkpoint.modelVersion(),
        view.openRound(),
        view.openPhase());
  }

  static Detail detail(StudyView view) {
    return new Detail(
        summary(view),
        view.study().minSites(),
        view.study().roundDeadline().toMillis(),
        view.checkpoint().enrolment().values().stream()
            .map(
                e ->
                    new Site(
                        e.site(), e.status().name().toLowerCase(java.util.Locale.ROOT), e.reason()))
            .toList(),
        secureAggregation(view.study()));
  }

  private static SecureAggregation secureAggregation(StudyConfig study) {
    SecureAggregationConfig config = study.secureAggregation();
    if (config == null) {
      return new SecureAggregation(false, "none", 0, 0, 0, 0);
    }
    return new SecureAggregation(
        true,
        config.protocol(),
        config.thresholdFor(study.sites().size()),
        config.neighbours(),
        config.clip(),
        config.phaseDeadline().toMillis());
  }

  static List<Round> rounds(StudyView view) {
    return view.checkpoint().rounds().stream().map(StudyJson::round).toList();
  }

  private static Round round(RoundRecord r) {
    return new Round(
        r.round(),
        r.status().name().toLowerCase(java.util.Locale.ROOT),
        r.reason(),
        r.openedAt().toString(),
        r.closedAt().toString(),
        r.modelVersion(),
        r.clientAverageAccuracy().isPresent() ? r.clientAverageAccuracy().getAsDouble() : null,
        r.sites().stream().map(StudyJson::siteResult).toList());
  }

  private static SiteResult siteResult(SiteRoundResult s) {
    SiteRoundResult.EvaluationMetrics e = s.evaluation();
    return new SiteResult(
        s.site(),
        s.outcome().name().toLowerCase(java.util.Locale.ROOT),
        s.detail(),
        s.numExamples(),
        finite(s.trainLoss()),
        e == null
            ? null
            : new Evaluation(
                e.testRecords(), finite(e.accuracy()), finite(e.auc()), finite(e.loss())));
  }

  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
