package org.medfed.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Runs the demo network for every strategy and seeds 42–46 (as FLamby does) and prints a Markdown
 * table of the federated client-average accuracy beside FLamby's published values for the same
 * split. Not a test: it asserts nothing and takes a few minutes.
 *
 * <p>{@code deploy/local/benchmark.sh [--strategies a,b] [--seeds 42,43] [--out DIR]}
 */
public final class BenchmarkMain {
  private BenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("logback.configurationFile", "logback-demo.xml");
    Path repository = null;
    List<String> strategies = StrategyPreset.NAMES;
    List<Long> seeds = List.of(42L, 43L, 44L, 45L, 46L);
    Path out = Path.of("target/benchmark");
    List<Double> epsilons = List.of();
    boolean secureAggregation = true;
    boolean dpDistributed = false;
    for (int i = 0; i < args.length; i += 2) {
      if (args[i].equals("--no-secure-aggregation")) {
        secureAggregation = false;
        i--;
        continue;
      }
      if (args[i].equals("--dp-distributed")) {
        dpDistributed = true;
        i--;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--repository" -> repository = Path.of(args[i + 1]);
        case "--strategies" -> strategies = Arrays.asList(args[i + 1].split(","));
        case "--seeds" ->
            seeds = Arrays.stream(args[i + 1].split(",")).map(Long::parseLong).toList();
        case "--out" -> out = Path.of(args[i + 1]);
        case "--dp-epsilons" ->
            epsilons =
                Arrays.stream(args[i + 1].split(","))
                    .map(e -> e.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(e))
                    .toList();
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (repository == null) {
      throw new IllegalArgumentException("--repository is required (benchmark.sh passes it)");
    }
    Files.createDirectories(out);
    if (!epsilons.isEmpty()) {
      privacySweep(repository, epsilons, seeds, out, secureAggregation, dpDistributed);
      return;
    }
    ObjectMapper json = new ObjectMapper();
    Map<String, List<JsonNode>> reports = new LinkedHashMap<>();
    for (String strategy : strategies) {
      for (long seed : seeds) {
        Path report = out.resolve(strategy + "-" + seed + ".json");
        DemoOptions options =
            new DemoOptions(
                repository,
                Optional.of(report),
                strategy,
                15,
                seed,
                Optional.empty(),
                OptionalDouble.empty(),
                secureAggregation);
        if (!new DemoMain().run(options)) {
          System.err.println("benchmark: " + strategy + " seed " + seed + " did not complete");
        }
        reports
            .computeIfAbsent(strategy, s -> new ArrayList<>())
            .add(json.readTree(report.toFile()));
      }
    }
    Map<String, double[]> flamby = flambyClientAverages(repository, seeds);
    System.out.println();
    StringBuilder header = new StringBuilder("| strategy |");
    StringBuilder rule = new StringBuilder("|---|");
    for (long seed : seeds) {
      header.append(" seed ").append(seed).append(" |");
      rule.append("---|");
    }
    System.out.println(header + " mean | FLamby mean | pooled ref. | mean wall s |");
    System.out.println(rule + "---|---|---|---|");
    for (Map.Entry<String, List<JsonNode>> entry : reports.entrySet()) {
      StringBuilder row = new StringBuilder("| " + entry.getKey() + " |");
      double sum = 0;
      double wall = 0;
      double pooled = 0;
      for (JsonNode report : entry.getValue()) {
        double accuracy = report.path("client_average").path("federated").asDouble();
        sum += accuracy;
        wall += report.path("wall_seconds").asDouble();
        pooled = report.path("client_average").path("pooled_reference").asDouble();
        row.append(String.format(" %.3f |", accuracy));
      }
      int n = entry.getValue().size();
      double[] published = flamby.get(entry.getKey());
      row.append(
          String.format(
              " **%.3f** | %s | %.3f | %.1f |",
              sum / n,
              published == null ? "—" : String.format("%.3f", mean(published)),
              pooled,
              wall / n));
      System.out.println(row);
    }
  }

  /**
   * FedAdam's federated client-average accuracy per target ε (every site capped at (ε, 1e-5)), ∞
   * meaning no differential privacy.
   */
  private static void privacySweep(
      Path repository,
      List<Double> epsilons,
      List<Long> seeds,
      Path out,
      boolean secureAggregation,
      boolean dpDistributed)
      throws Exception {
    ObjectMapper json = new ObjectMapper();
    StringBuilder header = new StringBuilder("| epsilon per site | noise multiplier |");
    StringBuilder rule = new StringBuilder("|---|---|");
    for (long seed : seeds) {
      header.append(" seed ").append(seed).append(" |");
      rule.append("---|");
    }
    List<String> rows = new ArrayList<>();
    for (double epsilon : epsilons) {
      boolean isPrivate = Double.isFinite(epsilon);
      StringBuilder accuracies = new StringBuilder();
      double sum = 0;
      double sigma = Double.NaN;
      for (long seed : seeds) {
        Path report =
            out.resolve((dpDistributed ? "ddg-" : "dp-") + epsilon + "-" + seed + ".json");
        boolean distributed = dpDistributed && isPrivate;
        DemoOptions options =
            new DemoOptions(
                repository,
                Optional.of(report),
                dpDistributed ? DpDefaults.DISTRIBUTED_STRATEGY : "fedadam",
                dpDistributed ? DpDefaults.DISTRIBUTED_ROUNDS : 15,
                seed,
                Optional.empty(),
                isPrivate ? OptionalDouble.of(epsilon) : OptionalDouble.empty(),
                secureAggregation,
                distributed);
        if (!new DemoMain().run(options)) {
          System.err.println("benchmark: epsilon " + epsilon + " seed " + seed + " failed");
        }
        JsonNode result = json.readTree(report.toFile());
        double accuracy = result.path("client_average").path("federated").asDouble();
        sum += accuracy;
        sigma = result.path("differential_privacy").path("noise_multiplier").asDouble(Double.NaN);
        accuracies.append(String.format(" %.3f |", accuracy));
      }
      rows.add(
          String.format(
              "| %s | %s |%s **%.3f** |",
              isPrivate ? epsilon : "∞ (no DP)",
              isPrivate ? String.format("%.3f", sigma) : "—",
              accuracies,
              sum / seeds.size()));
    }
    System.out.println();
    System.out.println(header + " mean |");
    System.out.println(rule + "---|");
    rows.forEach(System.out::println);
  }

  /** FLamby's client-average accuracy per seed, from its published result files. */
  private static Map<String, double[]> flambyClientAverages(Path repository, List<Long> seeds)
      throws IOException {
    Map<String, String> methods =
        Map.of(
            "fedavg",
            "FedAvg100",
            "fedprox",
            "FedProx100",
            "fedadam",
            "FedAdam100",
            "fedyogi",
            "FedYogi100",
            "fedadagrad",
            "FedAdagrad100");
    Map<String, double[]> result = new LinkedHashMap<>();
    for (Map.Entry<String, String> method : methods.entrySet()) {
      double[] perSeed = new double[seeds.size()];
      for (int s = 0; s < seeds.size(); s++) {
        Path file =
            repository.resolve(
                "data/heart-disease/flamby_results/heart_seed" + seeds.get(s) + ".csv");
        if (!Files.exists(file)) {
          continue;
        }
        // The published files do not share a column order: find the columns by header name.
        List<String> lines = Files.readAllLines(file);
        List<String> header = Arrays.asList(lines.getFirst().split(",", -1));
        int methodColumn = header.indexOf("Method");
        int testColumn = header.indexOf("Test");
        int metricColumn = header.indexOf("Metric");
        double sum = 0;
        int count = 0;
        for (String line : lines.subList(1, lines.size())) {
          String[] cells = line.split(",", -1);
          if (cells[methodColumn].equals(method.getValue())
              && cells[testColumn].startsWith("client_test_")) {
            sum += Double.parseDouble(cells[metricColumn]);
            count++;
          }
        }
        perSeed[s] = count == 0 ? Double.NaN : sum / count;
      }
      result.put(method.getKey(), perSeed);
    }
    return result;
  }

  private static double mean(double[] values) {
    return Arrays.stream(values).average().orElse(Double.NaN);
  }
}
