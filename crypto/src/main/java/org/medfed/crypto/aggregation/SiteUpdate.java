package org.medfed.crypto.aggregation;

import java.util.Arrays;
import java.util.Objects;

/**
 * One site's contribution to a round.
 *
 * @param siteId the site that trained it
 * @param delta the site's locally trained weights minus the global weights it started from
 * @param numExamples how many records the site trained on; the update's weight in the mean
 */
public record SiteUpdate(String siteId, double[] delta, long numExamples) {

  public SiteUpdate {
    Objects.requireNonNull(siteId, "siteId");
    Objects.requireNonNull(delta, "delta");
    if (siteId.isBlank()) {
      throw new IllegalArgumentException("siteId must not be blank");
    }
    if (numExamples < 1) {
      throw new IllegalArgumentException(
          "site '" + siteId + "': numExamples must be at least 1, got " + numExamples);
    }
    for (int i = 0; i < delta.length; i++) {
      if (!Double.isFinite(delta[i])) {
        throw new IllegalArgumentException(
            "site '" + siteId + "': delta[" + i + "] is " + delta[i] + ", updates must be finite");
      }
    }
    // Copied so that neither the caller nor a strategy can change an update after validation.
    delta = delta.clone();
  }

  @Override
  public double[] delta() {
    return delta.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SiteUpdate other
        && siteId.equals(other.siteId)
        && Arrays.equals(delta, other.delta)
        && numExamples == other.numExamples;
  }

  @Override
  public int hashCode() {
    return Objects.hash(siteId, Arrays.hashCode(delta), numExamples);
  }

  @Override
  public String toString() {
    return "SiteUpdate[siteId="
        + siteId
        + ", delta="
        + Arrays.toString(delta)
        + ", numExamples="
        + numExamples
        + "]";
  }
}
