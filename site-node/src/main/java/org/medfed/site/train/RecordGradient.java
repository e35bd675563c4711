package org.medfed.site.train;

/**
 * A model's loss on one training record and its gradient: what DP-SGD needs to clip each record's
 * contribution separately.
 */
@FunctionalInterface
public interface RecordGradient {
  /**
   * Writes the gradient of record {@code record}'s loss at {@code weights} into every entry of
   * {@code gradient} and returns that loss.
   */
  double lossAndGradient(double[] weights, int record, double[] gradient);
}
