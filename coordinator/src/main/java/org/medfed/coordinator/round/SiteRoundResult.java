package org.medfed.coordinator.round;

/** What one site did in one round, and how the resulting global model scored on its test split. */
public record SiteRoundResult(
    String site,
    Outcome outcome,
    String detail,
    long numExamples,
    double trainLoss,
    EvaluationMetrics evaluation) {

  /** The site's part in the round. */
  public enum Outcome {
    /** Its update was received and aggregated. */
    UPDATED,
    /** It declined the round, with a reason. */
    DECLINED,
    /** Its update was refused (wrong length, non-finite values, ...). */
    REFUSED,
    /** Nothing arrived before the deadline. */
    NO_ANSWER
  }

  /** Aggregate test metrics only; never a patient-level value. */
  public record EvaluationMetrics(long testRecords, double accuracy, double auc, double loss) {}

  SiteRoundResult withEvaluation(EvaluationMetrics metrics) {
    return new SiteRoundResult(site, outcome, detail, numExamples, trainLoss, metrics);
  }
}
