package org.medfed.crypto.secagg;

import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What every party of one secure-aggregation round agrees on before it starts: the round number,
 * the participating site ids (kept sorted; a site's Shamir index is its position + 1), the update
 * length, the threshold, the quantiser and the masking graph.
 *
 * @param threshold sites needed to finish the round and shares needed to reconstruct a secret: at
 *     least 2, at most n, and at most degree + 1 under SecAgg+
 */
public record RoundParameters(
    long round,
    List<String> sites,
    int vectorLength,
    int threshold,
    Quantizer quantizer,
    MaskingGraph graph) {
  private static final Pattern SITE_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  static final int MAX_SITES = Shamir.MAX_SHARES;

  public RoundParameters {
    if (round < 0) {
      throw new IllegalArgumentException("round must not be negative, got " + round);
    }
    Objects.requireNonNull(sites, "sites");
    TreeSet<String> sorted = new TreeSet<>();
    for (String site : sites) {
      if (site == null || !SITE_ID.matcher(site).matches()) {
        throw new IllegalArgumentException(
            "invalid site id \""
                + site
                + "\": must be a lowercase letter or digit followed by up to 62 lowercase"
                + " letters, digits or hyphens");
      }
      if (!sorted.add(site)) {
        throw new IllegalArgumentException("site id \"" + site + "\" appears twice");
      }
    }
    int n = sorted.size();
    if (n < 2 || n > MAX_SITES) {
      throw new IllegalArgumentException("need 2.." + MAX_SITES + " sites, got " + n);
    }
    sites = List.copyOf(sorted);
    if (vectorLength < 1) {
      throw new IllegalArgumentException("vectorLength must be positive, got " + vectorLength);
    }
    Objects.requireNonNull(quantizer, "quantizer");
    Objects.requireNonNull(graph, "graph");
    if (quantizer.maxSites() < n) {
      throw new IllegalArgumentException(
          "quantizer has headroom for " + quantizer.maxSites() + " sites, round has " + n);
    }
    int holders = n;
    if (graph instanceof MaskingGraph.Harary harary) {
      if (harary.degree() >= n) {
        throw new IllegalArgumentException(
            "SecAgg+ degree " + harary.degree() + " must be below the site count " + n);
      }
      holders = harary.degree() + 1;
    }
    if (threshold < 2 || threshold > holders) {
      throw new IllegalArgumentException(
          "threshold must be in 2.." + holders + " (share holders per site), got " + threshold);
    }
  }

  /** Bonawitz et al. with the default threshold and a quantiser with headroom for the sites. */
  public static RoundParameters of(long round, List<String> sites, int vectorLength, double clip) {
    int n = sites.size();
    return new RoundParameters(
        round,
        sites,
        vectorLength,
        defaultThreshold(n),
        Quantizer.withHeadroom(clip, Math.max(n, 1)),
        new MaskingGraph.Complete());
  }

  /** ⌊2n/3⌋ + 1, never below 2 (Bonawitz et al. against a server that lies about dropouts). */
  public static int defaultThreshold(int sites) {
    return Math.max(2, Math.min(sites, 2 * sites / 3 + 1));
  }

  /** The site's Shamir share index, 1..n. */
  int indexOf(String site) {
    int position = java.util.Collections.binarySearch(sites, site);
    if (position < 0) {
      throw new IllegalArgumentException("not a participant: " + site);
    }
    return position + 1;
  }
}
