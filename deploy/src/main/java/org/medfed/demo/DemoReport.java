package org.medfed.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.medfed.crypto.dp.RdpAccountant;
import org.medfed.crypto.dp.RdpConversion;
import org.medfed.site.train.Metrics;

/** The demo's result: per site, the federated model against the two reference models. */
final class DemoReport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final ObjectNode root;

  private DemoReport(ObjectNode root) {
    this.root = root;
  }

  static DemoReport build(
      DemoOptions options,
      JsonNode study,
      JsonNode rounds,
      Map<String, Baselines.SiteBaseline> baselines,
      JsonNode audit,
      Path siteKits,
      double wallSeconds,
      double federationSeconds)
      throws IOException {
    ObjectNode root = JSON.createObjectNode();
    JsonNode summary = study.path("summary");
    root.put("study", summary.path("id").asText());
    root.put("status", summary.path("status").asText());
    root.put("outcome", summary.path("outcome").asText());
    root.put("strategy", options.strategy());
    root.put("seed", options.seed());
    root.put("rounds_planned", options.rounds());
    root.put("rounds_completed", summary.path("roundsCompleted").asLong());
    root.put("rounds_failed", summary.path("roundsFailed").asLong());
    root.put("wall_seconds", round3(wallSeconds));
    root.put("federation_seconds", round3(federationSeconds));
    root.put(
        "pooled_reference_note",
        "pooled_reference is trained by the demo harness on all four hospitals' files together:"
            + " impossible in production, shown only as a reference");
    root.put(
        "reference_models",
        "local_only and pooled_reference: smile L2 logistic regression (lambda 1), FLamby"
            + " preprocessing and split; every model is tested on each site's test rows"
            + " standardised with that site's training statistics");

    ObjectNode auditNode = root.putObject("audit");
    auditNode.put("entries", audit.path("entries").asLong());
    auditNode.put("checkpoints", audit.path("treeHeads").asLong());
    auditNode.put("verified", audit.path("verified").asBoolean());
    ArrayNode checks = auditNode.putArray("checks");
    for (JsonNode check : audit.path("checks")) {
      checks
          .addObject()
          .put("name", check.path("name").asText())
          .put("status", check.path("status").asText());
    }
    JsonNode secure = study.path("secureAggregation");
    ObjectNode secureNode = root.putObject("secure_aggregation");
    secureNode.put("enabled", secure.path("enabled").asBoolean());
    if (secure.path("enabled").asBoolean()) {
      secureNode.put("threshold", secure.path("threshold").asInt());
      secureNode.put("protocol", secure.path("protocol").asText());
      secureNode.put("clip", secure.path("clip").asDouble());
    }
    ObjectNode dp = root.putObject("differential_privacy");
    dp.put("enabled", options.dpEpsilon().isPresent());
    if (options.dpEpsilon().isPresent()) {
      dp.put("target_epsilon", options.dpEpsilon().getAsDouble());
      dp.put("delta", DpDefaults.DELTA);
      dp.put("noise_multiplier", DemoMain.noiseMultiplier(options));
      dp.put("clipping_norm", DpDefaults.CLIPPING_NORM);
      dp.put("sampling_rate", DemoMain.samplingRate(options));
      dp.put("accounting", "RDP of the Poisson-sampled Gaussian, Balle et al. 2020 conversion");
      dp.put("mode", mode(options));
      if (options.dpDistributed()) {
        dp.put(
            "noise",
            "each site adds discrete Gaussian noise of sigma*s*C*sqrt(2)/sqrt(n) to its masked"
                + " integers; each site accounts the threshold t of n sites' noise");
      }
    }
    ArrayNode sites = root.putArray("sites");
    double[] sums = new double[3];
    int[] counts = new int[3];
    for (DemoSite site : DemoSite.ALL) {
      ObjectNode node = sites.addObject();
      node.put("id", site.id());
      node.put("country", site.country());
      node.put("hospital", site.hospital());
      JsonNode latest = latestEvaluatedResult(rounds, site.id());
      long reported = lastTrainRecords(rounds, site.id());
      node.put("train_records", reported > 0 ? reported : baselines.get(site.id()).trainRecords());
      node.put(
          "test_records",
          latest == null ? 0 : latest.path("evaluation").path("testRecords").asLong());
      ObjectNode federated = node.putObject("federated");
      if (latest != null) {
        federated.set("accuracy", latest.path("evaluation").path("accuracy"));
        federated.set("auc", latest.path("evaluation").path("auc"));
        add(sums, counts, 0, latest.path("evaluation").path("accuracy"));
      } else {
        federated.putNull("accuracy");
        federated.putNull("auc");
      }
      Baselines.SiteBaseline baseline = baselines.get(site.id());
      metrics(node.putObject("local_only"), baseline.localOnly());
      metrics(node.putObject("pooled_reference"), baseline.pooledReference());
      sums[1] += baseline.localOnly().accuracy();
      counts[1]++;
      sums[2] += baseline.pooledReference().accuracy();
      counts[2]++;
      Path ledgerFile = siteKits.resolve(site.id()).resolve("state/privacy-ledger.json");
      if (Files.exists(ledgerFile)) {
        ObjectNode privacy = privacy(JSON.readTree(ledgerFile.toFile()));
        privacy.put("mode", mode(options));
        if (options.dpDistributed()) {
          privacy.put(
              "epsilon_if_others_collude",
              epsilonIfOthersCollude(options, privacy.path("rounds_charged").asLong()));
        }
        node.set("privacy", privacy);
      }
      JsonNode egress = egress(siteKits.resolve(site.id()).resolve("state/egress-summary.json"));
      node.put("bytes_sent", egress.path("bytes_sent").asLong());
      node.put("bytes_received", egress.path("bytes_received").asLong());
    }
    ObjectNode average = root.putObject("client_average");
    putMean(average, "federated", sums[0], counts[0]);
    putMean(average, "local_only", sums[1], counts[1]);
    putMean(average, "pooled_reference", sums[2], counts[2]);
    return new DemoReport(root);
  }

  /** The demo succeeds when its study completed and the auditor verified the log. */
  boolean succeeded() {
    return root.path("status").asText().equals("completed")
        && root.path("audit").path("verified").asBoolean();
  }

  void write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JSON.writeValue(file.toFile(), root);
  }

  String table() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "Study %s: %s, %d of %d rounds completed, strategy %s, %.1f s%n",
            root.path("study").asText(),
            root.path("status").asText(),
            root.path("rounds_completed").asLong(),
            root.path("rounds_planned").asLong(),
            root.path("strategy").asText(),
            root.path("wall_seconds").asDouble()));
    out.append(
        String.format(
            "%-12s %-11s %5s %4s | %-15s | %-15s | %-15s | %9s %9s%n",
            "site",
            "country",
            "train",
            "test",
            "federated",
            "local-only",
            "pooled ref.*",
            "sent",
            "received"));
    out.append(
        String.format(
            "%-12s %-11s %5s %4s | %-15s | %-15s | %-15s | %9s %9s%n",
            "", "", "", "", " acc     AUC", " acc     AUC", " acc     AUC", "bytes", "bytes"));
    for (JsonNode site : root.path("sites")) {
      out.append(
          String.format(
              "%-12s %-11s %5d %4d | %s | %s | %s | %9d %9d%n",
              site.path("id").asText(),
              site.path("country").asText(),
              site.path("train_records").asLong(),
              site.path("test_records").asLong(),
              pair(site.path("federated")),
              pair(site.path("local_only")),
              pair(site.path("pooled_reference")),
              site.path("bytes_sent").asLong(),
              site.path("bytes_received").asLong()));
    }
    JsonNode average = root.path("client_average");
    out.append(
        String.format(
            "%-12s %-11s %5s %4s | %-15s | %-15s | %-15s |%n",
            "client avg",
            "",
            "",
            "",
            number(average.path("federated")),
            number(average.path("local_only")),
            number(average.path("pooled_reference"))));
    out.append(
        "* pooled reference: trained by the harness on all four files together,"
            + " impossible in production.\n");
    return out.toString();
  }

  private static JsonNode latestEvaluatedResult(JsonNode rounds, String site) {
    JsonNode latest = null;
    for (JsonNode round : rounds) {
      if (!round.path("status").asText().equals("completed")) {
        continue;
      }
      for (JsonNode result : round.path("sites")) {
        if (result.path("site").asText().equals(site) && result.path("evaluation").isObject()) {
          latest = result;
        }
      }
    }
    return latest;
  }

  private static long lastTrainRecords(JsonNode rounds, String site) {
    long records = 0;
    for (JsonNode round : rounds) {
      for (JsonNode result : round.path("sites")) {
        if (result.path("site").asText().equals(site)
            && result.path("outcome").asText().equals("updated")) {
          records = result.path("numExamples").asLong();
        }
      }
    }
    return records;
  }

  private static String mode(DemoOptions options) {
    return options.dpDistributed()
        ? "distributed discrete Gaussian under secure aggregation (FedSGD)"
        : "local DP-SGD";
  }

  /**
   * The site's ε at the demo's δ if the coordinator colluded with all three other sites in every
   * round it was charged for: only its own noise share then protects it. Computed from the public
   * round parameters of four sites (the site reports the same figure in its log each round).
   */
  private static double epsilonIfOthersCollude(DemoOptions options, long rounds) {
    if (rounds < 1) {
      return 0;
    }
    return RdpAccountant.create()
        .plus(
            DemoMain.mechanism(DemoMain.noiseMultiplier(options), DemoSite.ALL.size())
                .mechanismIfOthersCollude(),
            rounds)
        .privacySpent(DpDefaults.DELTA, RdpConversion.BALLE_2020)
        .epsilon();
  }

  /** What the site's own ledger says it spent: the hospital's record, not the coordinator's. */
  private static ObjectNode privacy(JsonNode ledger) {
    ObjectNode privacy = JSON.createObjectNode();
    JsonNode charges = ledger.path("charges");
    JsonNode last = charges.isEmpty() ? JSON.createObjectNode() : charges.get(charges.size() - 1);
    privacy.put("epsilon_spent", last.path("epsilon_spent").asDouble(0));
    privacy.put("delta", ledger.path("cap").path("delta").asDouble());
    privacy.put("epsilon_cap", ledger.path("cap").path("epsilon").asDouble());
    privacy.put("noise_multiplier", last.path("noise_multiplier").asDouble(0));
    privacy.put("rounds_charged", charges.size());
    return privacy;
  }

  private static JsonNode egress(Path file) throws IOException {
    return Files.exists(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
  }

  private static void metrics(ObjectNode node, Metrics metrics) {
    node.put("accuracy", metrics.accuracy());
    if (Double.isFinite(metrics.auc())) {
      node.put("auc", metrics.auc());
    } else {
      node.putNull("auc");
    }
  }

  private static void add(double[] sums, int[] counts, int index, JsonNode value) {
    if (value.isNumber()) {
      sums[index] += value.asDouble();
      counts[index]++;
    }
  }

  private static void putMean(ObjectNode node, String field, double sum, int count) {
    if (count == 0) {
      node.putNull(field);
    } else {
      node.put(field, sum / count);
    }
  }

  private static String pair(JsonNode metrics) {
    return String.format(
        "%-15s", number(metrics.path("accuracy")) + "  " + number(metrics.path("auc")));
  }

  private static String number(JsonNode value) {
    return value.isNumber() ? String.format("%.3f", value.asDouble()) : "  -  ";
  }

  private static double round3(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
