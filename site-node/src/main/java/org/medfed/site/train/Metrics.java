package org.medfed.site.train;

/**
 * How well a model does on a set of records.
 *
 * @param records the number of records evaluated
 * @param accuracy the share of records whose predicted probability is on the right side of 0.5
 * @param auc the area under the ROC curve, NaN when the records hold only one class
 * @param loss the mean binary cross-entropy
 */
public record Metrics(long records, double accuracy, double auc, double loss) {

  public Metrics {
    if (records < 0) {
      throw new IllegalArgumentException("records must be >= 0, got " + records);
    }
  }
}
