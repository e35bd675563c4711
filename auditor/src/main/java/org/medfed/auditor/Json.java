package org.medfed.auditor;

/** A minimal JSON writer for the report: objects, arrays, strings, numbers and booleans. */
final class Json {
  private final StringBuilder out = new StringBuilder();
  private boolean needsComma;

  Json beginObject() {
    separate();
    out.append('{');
    needsComma = false;
    return this;
  }

  Json endObject() {
    out.append('}');
    needsComma = true;
    return this;
  }

  Json beginArray() {
    separate();
    out.append('[');
    needsComma = false;
    return this;
  }

  Json endArray() {
    out.append(']');
    needsComma = true;
    return this;
  }

  Json key(String key) {
    separate();
    string(key);
    out.append(':');
    needsComma = false;
    return this;
  }

  Json field(String key, String value) {
    key(key);
    string(value);
    needsComma = true;
    return this;
  }

  Json field(String key, long value) {
    key(key);
    out.append(value);
    needsComma = true;
    return this;
  }

  Json field(String key, boolean value) {
    key(key);
    out.append(value);
    needsComma = true;
    return this;
  }

  @Override
  public String toString() {
    return out.toString();
  }

  private void separate() {
    if (needsComma) {
      out.append(',');
    }
  }

  private void string(String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
