package org.medfed.coordinator.study;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * One YAML mapping of a study file and its dotted path, so that every error can name the file and
 * the field (for example {@code study.yaml: strategy.tau ...}).
 */
final class Section {
  private final String source;
  private final String path;
  private final JsonNode node;

  private Section(String source, String path, JsonNode node) {
    this.source = source;
    this.path = path;
    this.node = node;
  }

  static Section root(String source, JsonNode node) throws StudyConfigException {
    if (!node.isObject()) {
      throw new StudyConfigException(
          source
              + ": the top level must be a mapping of keys such as id and rounds, got "
              + describe(node));
    }
    return new Section(source, "", node);
  }

  /** The full name of a key in this section, as an error message shows it. */
  String field(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** An error about {@code key}: {@code problem} continues the sentence after the field name. */
  StudyConfigException fail(String key, String problem) {
    return new StudyConfigException(source + ": " + field(key) + " " + problem);
  }

  /** Rejects keys outside {@code known}, so that a misspelt key is not silently ignored. */
  void allowOnly(String... known) throws StudyConfigException {
    List<String> allowed = List.of(known);
    for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!allowed.contains(key)) {
        throw fail(key, "is not a known key; expected one of " + String.join(", ", allowed));
      }
    }
  }

  /** A nested mapping; empty when the key is absent or null. */
  Optional<Section> optionalSection(String key) throws StudyConfigException {
    Optional<JsonNode> value = optional(key);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    if (!value.get().isObject()) {
      throw fail(key, "must be a mapping, got " + describe(value.get()));
    }
    return Optional.of(new Section(source, field(key), value.get()));
  }

  Section section(String key) throws StudyConfigException {
    return optionalSection(key).orElseThrow(() -> fail(key, "is required"));
  }

  /** The value of a key; a YAML null ({@code key:} or {@code key: ~}) counts as absent. */
  Optional<JsonNode> optional(String key) {
    JsonNode value = node.get(key);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
  }

  JsonNode required(String key) throws StudyConfigException {
    return optional(key).orElseThrow(() -> fail(key, "is required"));
  }

  Optional<String> optionalString(String key) throws StudyConfigException {
    Optional<JsonNode> value = optional(key);
    if (value.isPresent() && !value.get().isTextual()) {
      throw fail(key, "must be a string, got " + describe(value.get()));
    }
    return value.map(JsonNode::asText);
  }

  String requiredString(String key) throws StudyConfigException {
    return optionalString(key).orElseThrow(() -> fail(key, "is required"));
  }

  /** A list of strings; an element of another type is named by its index. */
  List<String> stringList(String key) throws StudyConfigException {
    JsonNode value = required(key);
    if (!value.isArray()) {
      throw fail(key, "must be a list, got " + describe(value));
    }
    List<String> strings = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      JsonNode element = value.get(i);
      if (!element.isTextual()) {
        throw fail(key + "[" + i + "]", "must be a string, got " + describe(element));
      }
      strings.add(element.asText());
    }
    return strings;
  }

  /** How a value appears in a message: strings quoted, numbers as written, collections named. */
  static String describe(JsonNode value) {
    if (value.isTextual()) {
      return "'" + value.asText() + "'";
    }
    if (value.isArray()) {
      return "a list";
    }
    if (value.isObject()) {
      return "a mapping";
    }
    return value.asText();
  }
}
