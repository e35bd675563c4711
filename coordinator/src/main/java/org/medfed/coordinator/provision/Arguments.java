package org.medfed.coordinator.provision;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code --name value} (or {@code --name=value}) options of one subcommand, each at most once. */
final class Arguments {
  private final Map<String, String> values;

  private Arguments(Map<String, String> values) {
    this.values = values;
  }

  static Arguments parse(List<String> args, Set<String> allowed) throws UsageException {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new UsageException("unexpected argument \"" + arg + "\"");
      }
      String name;
      String value;
      int equals = arg.indexOf('=');
      if (equals >= 0) {
        name = arg.substring(2, equals);
        value = arg.substring(equals + 1);
      } else {
        name = arg.substring(2);
        if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
          throw new UsageException("option --" + name + " needs a value");
        }
        value = args.get(++i);
      }
      if (!allowed.contains(name)) {
        throw new UsageException("unknown option --" + name);
      }
      if (values.putIfAbsent(name, value) != null) {
        throw new UsageException("option --" + name + " is given more than once");
      }
    }
    return new Arguments(values);
  }

  String required(String name) throws UsageException {
    String value = values.get(name);
    if (value == null || value.isBlank()) {
      throw new UsageException("missing required option --" + name);
    }
    return value;
  }

  Optional<String> optional(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /** A comma-separated list; empty items ("a,,b") are a usage error rather than ignored. */
  List<String> list(String name) throws UsageException {
    String value = values.get(name);
    if (value == null) {
      return List.of();
    }
    List<String> items = new ArrayList<>();
    for (String item : value.split(",", -1)) {
      String trimmed = item.strip();
      if (trimmed.isEmpty()) {
        throw new UsageException("option --" + name + " has an empty item in \"" + value + "\"");
      }
      items.add(trimmed);
    }
    return List.copyOf(items);
  }

  int positiveInt(String name, int defaultValue, int max) throws UsageException {
    String value = values.get(name);
    if (value == null) {
      return defaultValue;
    }
    int parsed;
    try {
      parsed = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new UsageException(
          "option --" + name + " must be a whole number, got \"" + value + "\"");
    }
    if (parsed < 1 || parsed > max) {
      throw new UsageException(
          "option --" + name + " must be between 1 and " + max + ", got " + parsed);
    }
    return parsed;
  }
}
