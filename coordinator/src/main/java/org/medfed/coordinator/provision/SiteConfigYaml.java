package org.medfed.coordinator.provision;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code site.yaml} of a startup kit. Written from a template rather than through a YAML mapper
 * because the comments are the site operator's documentation and must survive.
 */
final class SiteConfigYaml {
  /**
   * Safe as a plain YAML scalar. An all-digit host is excluded: YAML 1.1 readers (SnakeYAML) would
   * read "10:20" as the base-60 integer 620.
   */
  private static final Pattern PLAIN_ADDRESS =
      Pattern.compile("(?=[^:]*[A-Za-z.])[A-Za-z0-9.-]+:[0-9]+");

  /** The UCI Heart Disease columns of the demo study; each site narrows this to its own policy. */
  private static final List<String> DEFAULT_ALLOWED_COLUMNS =
      List.of(
          "age",
          "sex",
          "cp",
          "trestbps",
          "chol",
          "fbs",
          "restecg",
          "thalach",
          "exang",
          "oldpeak",
          "num");

  private SiteConfigYaml() {}

  static String render(String siteId, CoordinatorAddress coordinator) {
    String address = coordinator.toString();
    String coordinatorValue =
        PLAIN_ADDRESS.matcher(address).matches() ? address : "\"" + address + "\"";
    return """
        # MedFed site node configuration for site "%s". Edit the data and policy sections.
        coordinator: %s
        tls:
          certificate: %s
          private-key: %s
          ca-certificate: %s
        data:
          connector: csv
          path: /data/records.csv        # your records; they never leave this site
          mapping: mapping.yaml          # maps your columns to the study's canonical names
        policy:
          allowed-model-types: [logistic-regression]
          allowed-columns: [%s]
        state-dir: state
        """
        .formatted(
            siteId,
            coordinatorValue,
            PkiDirectory.SITE_CERTIFICATE,
            PkiDirectory.SITE_KEY,
            PkiDirectory.CA_CERTIFICATE,
            String.join(", ", DEFAULT_ALLOWED_COLUMNS));
  }
}
