package org.medfed.auditor;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What an audit found: one {@link CheckResult} per check, in order. The log passes when no check
 * failed; skipped checks and warnings do not fail it.
 */
public record AuditReport(String source, long entries, long treeHeads, List<CheckResult> checks) {

  public AuditReport {
    Objects.requireNonNull(source, "source");
    checks = List.copyOf(checks);
  }

  /** Whether no check failed. */
  public boolean passed() {
    return checks.stream().noneMatch(c -> c.status() == CheckStatus.FAILED);
  }

  /** The check called {@code name}, if the report has one. */
  public Optional<CheckResult> check(String name) {
    return checks.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** One line per check, then warnings and failures with their locations, then the verdict. */
  public String toText() {
    StringBuilder text = new StringBuilder();
    text.append("MedFed exchange log audit of ")
        .append(source)
        .append(": ")
        .append(entries)
        .append(" entries, ")
        .append(treeHeads)
        .append(" signed tree heads\n\n");
    int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
    for (CheckResult check : checks) {
      text.append(
              String.format(
                  Locale.ROOT, "  %-7s  %-" + width + "s  ", check.status(), check.name()))
          .append(check.summary())
          .append('\n');
    }
    appendFindings(text, "Warnings", false);
    appendFindings(text, "Failures", true);
    long failed = count(CheckStatus.FAILED);
    text.append('\n')
        .append(failed == 0 ? "VERIFIED" : "FAILED")
        .append(": ")
        .append(count(CheckStatus.PASSED))
        .append(" passed, ")
        .append(failed)
        .append(" failed, ")
        .append(count(CheckStatus.SKIPPED))
        .append(" skipped\n");
    return text.toString();
  }

  /** The same content as JSON. */
  public String toJson() {
    Json json = new Json();
    json.beginObject()
        .field("source", source)
        .field("entries", entries)
        .field("treeHeads", treeHeads)
        .field("verified", passed())
        .key("checks")
        .beginArray();
    for (CheckResult check : checks) {
      json.beginObject()
          .field("name", check.name())
          .field("status", check.status().label())
          .field("summary", check.summary());
      findings(json, "failures", check.failures());
      findings(json, "warnings", check.warnings());
      json.endObject();
    }
    return json.endArray().endObject().toString() + "\n";
  }

  private static void findings(Json json, String key, List<Finding> findings) {
    json.key(key).beginArray();
    for (Finding finding : findings) {
      json.beginObject().field("message", finding.message());
      if (finding.file() != null) {
        json.field("file", finding.file());
      }
      optional(json, "entryIndex", finding.entryIndex());
      optional(json, "byteOffset", finding.byteOffset());
      optional(json, "headIndex", finding.headIndex());
      optional(json, "treeSize", finding.treeSize());
      json.endObject();
    }
    json.endArray();
  }

  private static void optional(Json json, String key, Long value) {
    if (value != null) {
      json.field(key, value);
    }
  }

  private void appendFindings(StringBuilder text, String title, boolean failures) {
    boolean any = false;
    for (CheckResult check : checks) {
      for (Finding finding : failures ? check.failures() : check.warnings()) {
        if (!any) {
          text.append('\n').append(title).append(":\n");
          any = true;
        }
        text.append("  ").append(check.name()).append(": ").append(finding.message());
        String location = finding.location();
        if (!location.isEmpty()) {
          text.append(" [").append(location).append(']');
        }
        text.append('\n');
      }
    }
  }

  private long count(CheckStatus status) {
    return checks.stream().filter(c -> c.status() == status).count();
  }
}
