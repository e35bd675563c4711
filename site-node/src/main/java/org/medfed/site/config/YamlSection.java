package org.medfed.site.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** One mapping of the config file, with messages that name the file and the dotted key. */
final class YamlSection {
  private final String file;
  private final String prefix;
  private final JsonNode node;

  YamlSection(String file, String prefix, JsonNode node) {
    this.file = file;
    this.prefix = prefix;
    this.node = node;
  }

  String key(String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  ConfigException error(String sentence) {
    return new ConfigException(file + ": " + sentence);
  }

  void rejectUnknownKeys(Set<String> known) throws ConfigException {
    for (Map.Entry<String, JsonNode> property : node.properties()) {
      if (!known.contains(property.getKey())) {
        throw error(
            "unknown key '"
                + key(property.getKey())
                + "' (known keys"
                + (prefix.isEmpty() ? "" : " in '" + prefix + "'")
                + ": "
                + String.join(", ", new TreeSet<>(known))
                + ")");
      }
    }
  }

  YamlSection section(String name) throws ConfigException {
    JsonNode child = node.get(name);
    if (child == null || child.isNull()) {
      throw error("missing key '" + key(name) + "'");
    }
    if (!child.isObject()) {
      throw error("'" + key(name) + "' must be a mapping of keys");
    }
    return new YamlSection(file, key(name), child);
  }

  boolean has(String name) {
    JsonNode child = node.get(name);
    return child != null && !child.isNull();
  }

  /** A required number. */
  double number(String name) throws ConfigException {
    JsonNode child = node.get(name);
    if (child == null || child.isNull()) {
      throw error("missing key '" + key(name) + "'");
    }
    if (!child.isNumber()) {
      throw error("'" + key(name) + "' must be a number, got '" + child.asText() + "'");
    }
    return child.asDouble();
  }

  String text(String name) throws ConfigException {
    String value = optionalText(name);
    if (value == null) {
      throw error("missing key '" + key(name) + "'");
    }
    return value;
  }

  /** Returns the value as a string, or null when the key is absent. */
  String optionalText(String name) throws ConfigException {
    JsonNode child = node.get(name);
    if (child == null || child.isNull()) {
      return null;
    }
    if (!child.isValueNode() || child.asText().isBlank()) {
      throw error("'" + key(name) + "' must be a non-empty value");
    }
    return child.asText().strip();
  }

  List<String> textList(String name) throws ConfigException {
    JsonNode child = node.get(name);
    if (child == null || child.isNull()) {
      throw error("missing key '" + key(name) + "'");
    }
    if (!child.isArray() || child.isEmpty()) {
      throw error("'" + key(name) + "' must be a non-empty list");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : child) {
      if (!item.isValueNode() || item.isNull() || item.asText().isBlank()) {
        throw error("'" + key(name) + "' must list non-empty names");
      }
      out.add(item.asText().strip());
    }
    return out;
  }
}
