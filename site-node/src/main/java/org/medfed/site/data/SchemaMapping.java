package org.medfed.site.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a site's CSV file maps onto the network's canonical column names.
 *
 * @param delimiter the field separator
 * @param header whether the first line of the file names the columns
 * @param missingValues cell contents that mean "not recorded" (for UCI: {@code ?})
 * @param columns canonical column name to source column, in the order the table will have: a header
 *     name when {@code header} is true, otherwise a 1-based position written as a string
 */
public record SchemaMapping(
    char delimiter, boolean header, Set<String> missingValues, Map<String, String> columns) {

  private static final Set<String> KEYS =
      Set.of("format", "header", "delimiter", "missing-values", "columns");

  public SchemaMapping {
    if (delimiter == '\n' || delimiter == '\r' || delimiter == '"') {
      throw new IllegalArgumentException("delimiter cannot be a quote or a line break");
    }
    missingValues = Collections.unmodifiableSet(new LinkedHashSet<>(missingValues));
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("a mapping needs at least one column");
    }
    // Map.copyOf would lose the order, and the order is the table's column order.
    columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    for (Map.Entry<String, String> e : columns.entrySet()) {
      if (e.getKey().isBlank() || e.getValue().isBlank()) {
        throw new IllegalArgumentException("column names and sources cannot be blank");
      }
      if (!header && position(e.getValue()) < 1) {
        throw new IllegalArgumentException(
            "column '"
                + e.getKey()
                + "' has source '"
                + e.getValue()
                + "', not a 1-based position");
      }
    }
  }

  /** Returns the 1-based position of a source column, or -1 if it is not a positive integer. */
  static int position(String source) {
    if (!source.matches("[0-9]{1,9}")) {
      return -1;
    }
    int p = Integer.parseInt(source);
    return p >= 1 ? p : -1;
  }

  /** Reads a mapping file; every problem becomes a one-sentence message naming the file. */
  public static SchemaMapping load(Path yamlFile) throws DataException {
    String name = String.valueOf(yamlFile.getFileName());
    if (!Files.exists(yamlFile)) {
      throw new DataException("mapping file " + yamlFile + " does not exist");
    }
    JsonNode root;
    try {
      YAMLMapper yaml =
          YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
      root = yaml.readTree(yamlFile.toFile());
    } catch (JacksonException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw new DataException(
          name + " is not valid YAML" + where + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new DataException("cannot read mapping file " + yamlFile + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new DataException(name + " must be a YAML mapping with the keys " + sorted(KEYS));
    }
    for (Map.Entry<String, JsonNode> property : root.properties()) {
      String key = property.getKey();
      if (!KEYS.contains(key)) {
        throw new DataException(
            name + " has the unknown key '" + key + "' (known keys: " + sorted(KEYS) + ")");
      }
    }
    JsonNode format = root.get("format");
    if (format != null && !(format.isTextual() && format.asText().equals("csv"))) {
      throw new DataException(name + ": format must be 'csv', not '" + format.asText() + "'");
    }
    boolean header = false;
    JsonNode headerNode = root.get("header");
    if (headerNode != null) {
      if (!headerNode.isBoolean()) {
        throw new DataException(name + ": header must be true or false");
      }
      header = headerNode.booleanValue();
    }
    char delimiter = ',';
    JsonNode delimiterNode = root.get("delimiter");
    if (delimiterNode != null) {
      String d = delimiterNode.isTextual() ? delimiterNode.textValue() : "";
      if (d.length() != 1 || d.equals("\"") || d.equals("\n") || d.equals("\r")) {
        throw new DataException(name + ": delimiter must be a single character such as \",\"");
      }
      delimiter = d.charAt(0);
    }
    Set<String> missing = new LinkedHashSet<>();
    JsonNode missingNode = root.get("missing-values");
    if (missingNode != null) {
      if (!missingNode.isArray()) {
        throw new DataException(name + ": missing-values must be a list such as [\"?\"]");
      }
      for (JsonNode m : missingNode) {
        if (!m.isValueNode() || m.isNull()) {
          throw new DataException(name + ": missing-values must list plain strings");
        }
        missing.add(m.asText().strip());
      }
    }
    JsonNode columnsNode = root.get("columns");
    if (columnsNode == null || !columnsNode.isObject() || columnsNode.isEmpty()) {
      throw new DataException(name + ": columns must map at least one canonical column name");
    }
    Map<String, String> columns = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : columnsNode.properties()) {
      JsonNode v = e.getValue();
      String source = v.isValueNode() && !v.isNull() ? v.asText().strip() : "";
      if (source.isEmpty()) {
        throw new DataException(name + ": column '" + e.getKey() + "' has no source column");
      }
      if (!header && position(source) < 1) {
        throw new DataException(
            name
                + ": column '"
                + e.getKey()
                + "' maps to '"
                + source
                + "', but without a header row a source column must be a 1-based position");
      }
      columns.put(e.getKey(), source);
    }
    return new SchemaMapping(delimiter, header, missing, columns);
  }

  private static String sorted(Set<String> s) {
    return String.join(", ", new TreeSet<>(s));
  }
}
