package org.medfed.site.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the site's records are and how to read them.
 *
 * @param connector the connector type; only {@code csv} exists today
 * @param path the data file
 * @param mapping the schema mapping onto canonical column names
 * @param splitFile a fixed train/test split file (e.g. FLamby's), or null for a seeded split
 * @param splitCenter this site's centre name in {@code splitFile}, null exactly when it is null
 */
public record DataSource(
    String connector, Path path, Path mapping, Path splitFile, String splitCenter) {

  public DataSource {
    if (connector == null || connector.isBlank()) {
      throw new IllegalArgumentException("connector must be named");
    }
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(mapping, "mapping");
    if ((splitFile == null) != (splitCenter == null)) {
      throw new IllegalArgumentException("splitFile and splitCenter go together");
    }
    if (splitCenter != null && splitCenter.isBlank()) {
      throw new IllegalArgumentException("splitCenter cannot be blank");
    }
  }
}
