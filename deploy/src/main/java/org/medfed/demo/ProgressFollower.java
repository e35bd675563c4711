package org.medfed.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Follows the study over the REST API and prints one progress line per finished round. */
final class ProgressFollower {
  private static final long POLL_MILLIS = 100;

  private final CoordinatorApi api;
  private final String study;
  private final int plannedRounds;
  private final Process coordinator;
  private final Path workdir;

  ProgressFollower(
      CoordinatorApi api, String study, int plannedRounds, Process coordinator, Path workdir) {
    this.api = api;
    this.study = study;
    this.plannedRounds = plannedRounds;
    this.coordinator = coordinator;
    this.workdir = workdir;
  }

  /** Returns the study's final detail once it has ended; fails if the coordinator dies. */
  JsonNode follow() throws InterruptedException {
    // Enrolment (60 s) plus every round's training and evaluation deadlines, plus slack.
    long deadline = System.nanoTime() + (120L + plannedRounds * 60L) * 1_000_000_000L;
    long start = System.nanoTime();
    int printed = 0;
    String lastStatus = "";
    while (System.nanoTime() < deadline) {
      if (!coordinator.isAlive()) {
        throw new DemoMain.DemoFailure(
            "the coordinator exited with code "
                + coordinator.exitValue()
                + ": "
                + tail(workdir.resolve("logs/coordinator.log")));
      }
      JsonNode detail = api.study(study).orElse(null);
      JsonNode rounds = detail == null ? null : api.rounds(study).orElse(null);
      if (detail != null && rounds != null) {
        String status = detail.path("summary").path("status").asText();
        if (!status.equals(lastStatus) && status.equals("running")) {
          System.out.println("  enrolment closed: " + enrolment(detail));
        }
        lastStatus = status;
        boolean ended = status.equals("completed") || status.equals("failed");
        while (printed < rounds.size() && (ended || finished(rounds.get(printed)))) {
          System.out.println(line(rounds.get(printed), (System.nanoTime() - start) / 1e9));
          printed++;
        }
        if (ended) {
          System.out.println(
              "  study "
                  + status
                  + (detail.path("summary").path("outcome").asText().isEmpty()
                      ? ""
                      : ": " + detail.path("summary").path("outcome").asText()));
          return detail;
        }
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new DemoMain.DemoFailure("the study did not end in time; see " + workdir);
  }

  /** A round is done once every site that answered its training phase has evaluated it. */
  private static boolean finished(JsonNode round) {
    if (round.path("status").asText().equals("failed")) {
      return true;
    }
    int alive = 0;
    int evaluated = 0;
    for (JsonNode site : round.path("sites")) {
      if (!site.path("outcome").asText().equals("no_answer")) {
        alive++;
      }
      if (!site.path("evaluation").isNull() && !site.path("evaluation").isMissingNode()) {
        evaluated++;
      }
    }
    return evaluated >= alive;
  }

  private String line(JsonNode round, double seconds) {
    int updated = 0;
    for (JsonNode site : round.path("sites")) {
      if (site.path("outcome").asText().equals("updated")) {
        updated++;
      }
    }
    String metrics =
        round.path("clientAverageAccuracy").isNumber()
            ? String.format(
                "client-average accuracy %.3f", round.path("clientAverageAccuracy").asDouble())
            : "no evaluation";
    return String.format(
        "  round %2d/%d  %-9s  %d/%d sites updated  %s  model v%d  (%.1f s)%s",
        round.path("round").asInt(),
        plannedRounds,
        round.path("status").asText(),
        updated,
        round.path("sites").size(),
        metrics,
        round.path("modelVersion").asLong(),
        seconds,
        round.path("reason").asText().isEmpty() ? "" : "  " + round.path("reason").asText());
  }

  private static String enrolment(JsonNode detail) {
    StringBuilder text = new StringBuilder();
    for (JsonNode site : detail.path("sites")) {
      text.append(text.isEmpty() ? "" : ", ")
          .append(site.path("site").asText())
          .append(' ')
          .append(site.path("enrolment").asText());
      if (!site.path("reason").asText().isEmpty()) {
        text.append(" (").append(site.path("reason").asText()).append(')');
      }
    }
    return text.toString();
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }
}
