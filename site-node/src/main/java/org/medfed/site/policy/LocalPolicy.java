package org.medfed.site.policy;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a hospital allows the network to train on its data.
 *
 * @param allowedModelTypes model types the site will train, e.g. {@code logistic-regression}
 * @param allowedColumns canonical columns that may be used as features or label
 */
public record LocalPolicy(Set<String> allowedModelTypes, Set<String> allowedColumns) {

  public LocalPolicy {
    allowedModelTypes = Set.copyOf(allowedModelTypes);
    allowedColumns = Set.copyOf(allowedColumns);
  }

  /**
   * Checks a task against the policy.
   *
   * @param featureColumns canonical column names; for an indicator feature such as {@code cp=2},
   *     pass {@code cp}
   */
  public PolicyDecision check(String modelType, List<String> featureColumns, String labelColumn) {
    if (modelType == null || featureColumns == null || labelColumn == null) {
      throw new NullPointerException("modelType, featureColumns and labelColumn are required");
    }
    if (!allowedModelTypes.contains(modelType)) {
      return new PolicyDecision.Decline(
          "model type '"
              + modelType
              + "' is not allowed by this site's policy (allowed: "
              + list(allowedModelTypes)
              + ")");
    }
    // Sorted and de-duplicated so that the same task always gets the same reason.
    Set<String> offending = new TreeSet<>();
    Set<String> requested = new LinkedHashSet<>(featureColumns);
    requested.add(labelColumn);
    for (String column : requested) {
      if (!allowedColumns.contains(column)) {
        offending.add(column);
      }
    }
    if (offending.isEmpty()) {
      return new PolicyDecision.Accept();
    }
    String names = "'" + String.join("', '", offending) + "'";
    return new PolicyDecision.Decline(
        (offending.size() == 1 ? "column " + names + " is" : "columns " + names + " are")
            + " not allowed by this site's policy (allowed: "
            + list(allowedColumns)
            + ")");
  }

  private static String list(Set<String> values) {
    return values.isEmpty() ? "none" : String.join(", ", new TreeSet<>(values));
  }
}
