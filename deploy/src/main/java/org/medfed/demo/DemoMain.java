package org.medfed.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.medfed.crypto.dp.DistributedDiscreteGaussian;
import org.medfed.crypto.dp.RdpAccountant;
import org.medfed.crypto.dp.RdpConversion;
import org.medfed.crypto.secagg.RoundParameters;
import org.medfed.site.data.DataException;

/**
 * The local demo network: provisions a fresh consortium PKI, starts a coordinator and one site node
 * per hospital as separate JVMs (each given only its own hospital's file), follows the study over
 * the coordinator's REST API, stops everything it started and reports.
 */
public final class DemoMain {
  private static final String STUDY = "heart-disease";

  /** deploy/local/study.yaml's logistic regression: 13 features and a bias. */
  private static final int PARAMETERS = 14;

  /** deploy/local/study.yaml's secure-aggregation.record-scale. */
  private static final long RECORD_SCALE = 10_000;

  DemoMain() {}

  public static void main(String[] args) {
    // The site-node jar on this classpath brings its own logback.xml; the demo wants its quieter
    // one.
    System.setProperty("logback.configurationFile", "logback-demo.xml");
    DemoOptions options;
    try {
      options = DemoOptions.parse(Arrays.asList(args));
    } catch (DemoOptions.UsageException e) {
      if (!e.getMessage().isEmpty()) {
        System.err.println("demo: " + e.getMessage());
      }
      System.err.println(DemoOptions.USAGE);
      System.exit(e.getMessage().isEmpty() ? 0 : 2);
      return;
    }
    try {
      System.exit(new DemoMain().run(options) ? 0 : 1);
    } catch (DemoFailure e) {
      System.err.println("demo: " + e.getMessage());
      System.exit(1);
    } catch (InterruptedException e) {
      System.err.println("demo: interrupted, stopping everything it started");
      System.exit(130);
    }
  }

  boolean run(DemoOptions options) throws InterruptedException {
    long started = System.nanoTime();
    Path repository = options.repository();
    Path dataDir = repository.resolve("data/heart-disease");
    Path coordinatorJar =
        requireFile(repository.resolve("coordinator/target/medfed-coordinator.jar"));
    Path siteJar = requireFile(repository.resolve("site-node/target/medfed-site-node.jar"));
    Path workdir = options.workdir().map(Path::toAbsolutePath).orElseGet(DemoMain::tempDir);
    boolean succeeded = false;
    try (ChildProcesses children = new ChildProcesses()) {
      Files.createDirectories(workdir.resolve("logs"));
      int grpcPort = freePort();
      int httpPort = freePort();
      System.out.printf(
          "MedFed demo: 4 hospitals, strategy %s, %d rounds, seed %d%n",
          options.strategy(), options.rounds(), options.seed());
      System.out.println("  consortium files and logs: " + workdir);

      Path pki = workdir.resolve("pki");
      provision(children, coordinatorJar, pki, grpcPort, workdir);
      Path studyFile = writeStudy(repository, workdir, options);
      for (DemoSite site : DemoSite.ALL) {
        configureSite(pki.resolve("sites").resolve(site.id()), site, dataDir, grpcPort, options);
      }

      Process coordinator =
          children.startJava(
              coordinatorJar,
              List.of(
                  "serve",
                  "--medfed.study-file=" + studyFile,
                  "--medfed.data-dir=" + workdir.resolve("coordinator-data"),
                  "--medfed.tls.certificate=" + pki.resolve("coordinator/coordinator.crt.pem"),
                  "--medfed.tls.private-key=" + pki.resolve("coordinator/coordinator.key.pem"),
                  "--medfed.tls.ca-certificate=" + pki.resolve("coordinator/ca.crt.pem"),
                  "--medfed.grpc.host=127.0.0.1",
                  "--medfed.grpc.port=" + grpcPort,
                  "--medfed.enrolment-window=60s",
                  "--micronaut.server.host=127.0.0.1",
                  "--micronaut.server.port=" + httpPort),
              workdir.resolve("logs/coordinator.log"));
      Map<String, Process> sites = new LinkedHashMap<>();
      for (DemoSite site : DemoSite.ALL) {
        sites.put(
            site.id(),
            children.startJava(
                siteJar,
                List.of(
                    "--config",
                    pki.resolve("sites").resolve(site.id()).resolve("site.yaml").toString(),
                    "--exit-when-study-ends"),
                workdir.resolve("logs").resolve(site.id() + ".log")));
      }

      CoordinatorApi api = new CoordinatorApi(httpPort);
      long federationStart = System.nanoTime();
      JsonNode finalStudy =
          new ProgressFollower(api, STUDY, options.rounds(), coordinator, workdir).follow();
      double federationSeconds = (System.nanoTime() - federationStart) / 1e9;
      JsonNode rounds =
          api.rounds(STUDY)
              .orElseThrow(
                  () ->
                      new DemoFailure(
                          "the coordinator's REST API stopped answering; see "
                              + workdir.resolve("logs")));

      for (Map.Entry<String, Process> site : sites.entrySet()) {
        if (!site.getValue().waitFor(20, TimeUnit.SECONDS)) {
          System.err.println("  site " + site.getKey() + " did not stop by itself; stopping it");
        }
      }
      ChildProcesses.stop(coordinator, 15);
      JsonNode audit = audit(children, repository, workdir, pki);

      System.out.println("  computing the harness's reference models (local-only, pooled)...");
      Map<String, Baselines.SiteBaseline> baselines = Baselines.compute(dataDir);
      double wallSeconds = (System.nanoTime() - started) / 1e9;
      DemoReport report =
          DemoReport.build(
              options,
              finalStudy,
              rounds,
              baselines,
              audit,
              pki.resolve("sites"),
              wallSeconds,
              federationSeconds);
      System.out.println();
      System.out.print(report.table());
      if (options.report().isPresent()) {
        report.write(options.report().get());
        System.out.println("report written to " + options.report().get().toAbsolutePath());
      }
      succeeded = report.succeeded();
      return succeeded;
    } catch (IOException e) {
      throw new DemoFailure("I/O failed: " + e.getMessage());
    } catch (DataException e) {
      throw new DemoFailure(e.getMessage());
    } finally {
      if (succeeded && options.workdir().isEmpty()) {
        deleteRecursively(workdir);
      } else if (!succeeded) {
        System.err.println("demo: logs kept in " + workdir.resolve("logs"));
      }
    }
  }

  /**
   * Runs the auditor the way an auditor would: a separate process that reads only the coordinator's
   * exchange log and the consortium CA certificate.
   */
  private static JsonNode audit(ChildProcesses children, Path repository, Path workdir, Path pki)
      throws IOException, InterruptedException {
    Path jar = requireFile(repository.resolve("auditor/target/medfed-audit.jar"));
    Path json = workdir.resolve("audit.json");
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "verify",
                "--log",
                workdir.resolve("coordinator-data/exchange-log").toString(),
                "--ca",
                pki.resolve("ca/ca.crt.pem").toString(),
                "--json",
                json.toString()));
    // Each hospital's receipts: the auditor checks that what the sites hold is in the log.
    for (DemoSite site : DemoSite.ALL) {
      arguments.add("--receipts");
      arguments.add(pki.resolve("sites").resolve(site.id()).resolve("state/receipts").toString());
    }
    Process auditor = children.startJava(jar, arguments, workdir.resolve("logs/audit.log"));
    if (!auditor.waitFor(120, TimeUnit.SECONDS) || !Files.exists(json)) {
      throw new DemoFailure(
          "the auditor did not finish: " + Files.readString(workdir.resolve("logs/audit.log")));
    }
    JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
    System.out.printf(
        "  audit: %s (%d entries, %d signed tree heads; report in %s)%n",
        report.path("verified").asBoolean() ? "verified" : "FAILED",
        report.path("entries").asLong(),
        report.path("treeHeads").asLong(),
        workdir.resolve("logs/audit.log"));
    return report;
  }

  private static void provision(
      ChildProcesses children, Path coordinatorJar, Path pki, int grpcPort, Path workdir)
      throws IOException, InterruptedException {
    Process provision =
        children.startJava(
            coordinatorJar,
            List.of(
                "provision",
                "init",
                "--out",
                pki.toString(),
                "--consortium",
                "medfed-demo",
                "--coordinator-address",
                "127.0.0.1:" + grpcPort,
                "--coordinator-dns",
                "localhost",
                "--sites",
                String.join(",", DemoSite.ALL.stream().map(DemoSite::id).toList())),
            workdir.resolve("logs/provision.log"));
    if (!provision.waitFor(60, TimeUnit.SECONDS) || provision.exitValue() != 0) {
      throw new DemoFailure(
          "provisioning failed: "
              + Files.readString(workdir.resolve("logs/provision.log")).strip());
    }
  }

  /** The shipped study with the chosen strategy's FLamby hyper-parameters, rounds and seed. */
  private static Path writeStudy(Path repository, Path workdir, DemoOptions options)
      throws IOException {
    YAMLMapper yaml = new YAMLMapper();
    ObjectNode study =
        (ObjectNode) yaml.readTree(repository.resolve("deploy/local/study.yaml").toFile());
    StrategyPreset preset = StrategyPreset.of(options.strategy());
    study.put("rounds", options.rounds());
    study.put("seed", options.seed());
    ((ObjectNode) study.get("local-training")).put("learning-rate", preset.localLearningRate());
    ObjectNode strategy = (ObjectNode) study.get("strategy");
    strategy.put("name", preset.name());
    strategy.put("server-learning-rate", preset.serverLearningRate());
    strategy.put("proximal-mu", preset.proximalMu());
    if (!options.secureAggregation()) {
      study.remove("secure-aggregation");
    }
    if (options.dpEpsilon().isPresent()) {
      ObjectNode privacy = study.putObject("privacy");
      privacy.put("noise-multiplier", noiseMultiplier(options));
      privacy.put("clipping-norm", DpDefaults.CLIPPING_NORM);
      privacy.put("sampling-rate", samplingRate(options));
      privacy.put("delta", DpDefaults.DELTA);
      if (options.dpDistributed()) {
        privacy.put("distributed-noise", true);
        ObjectNode local = (ObjectNode) study.get("local-training");
        local.put("steps", 1);
        local.put("learning-rate", DpDefaults.DISTRIBUTED_LEARNING_RATE);
        local.put("optimizer", "sgd");
      }
    }
    Path file = workdir.resolve("study.yaml");
    yaml.writeValue(file.toFile(), study);
    return file;
  }

  static double samplingRate(DemoOptions options) {
    return options.dpDistributed()
        ? DpDefaults.DISTRIBUTED_SAMPLING_RATE
        : DpDefaults.SAMPLING_RATE;
  }

  /** The noise that makes the whole study spend exactly the target ε at every site. */
  static double noiseMultiplier(DemoOptions options) {
    if (options.dpDistributed()) {
      return distributedNoiseMultiplier(options);
    }
    return RdpAccountant.noiseMultiplierFor(
        options.dpEpsilon().orElseThrow(),
        DpDefaults.DELTA,
        DpDefaults.SAMPLING_RATE,
        (long) options.rounds() * DpDefaults.LOCAL_STEPS,
        RdpConversion.BALLE_2020);
  }

  /**
   * The σ on the sum of all sites for which each site's accounting reaches the target ε: a site
   * counts only the threshold's share t/n of the noise and the rounding's inflation of the
   * sensitivity, so σ is the per-round target raised by √(n/t) and by that inflation.
   */
  private static double distributedNoiseMultiplier(DemoOptions options) {
    int sites = DemoSite.ALL.size();
    int threshold = RoundParameters.defaultThreshold(sites);
    double target =
        RdpAccountant.noiseMultiplierFor(
            options.dpEpsilon().orElseThrow(),
            DpDefaults.DELTA,
            DpDefaults.DISTRIBUTED_SAMPLING_RATE,
            options.rounds(),
            RdpConversion.BALLE_2020);
    double sigma = target * Math.sqrt((double) sites / threshold);
    while (mechanism(sigma, sites).mechanism(threshold).noiseMultiplier() < target) {
      sigma *= 1.0 + 1e-6;
    }
    return sigma;
  }

  /** The round mechanism the coordinator opens for the shipped study with {@code sites} sites. */
  static DistributedDiscreteGaussian mechanism(double sigma, int sites) {
    return DistributedDiscreteGaussian.fitting(
        sigma,
        DpDefaults.CLIPPING_NORM,
        DpDefaults.DISTRIBUTED_SAMPLING_RATE,
        sites,
        PARAMETERS + 1,
        RECORD_SCALE);
  }

  /**
   * Completes a site's startup kit as its hospital would: its own records file (and nothing of the
   * others'), the column mapping, and its own rows of the FLamby split.
   */
  private static void configureSite(
      Path kit, DemoSite site, Path dataDir, int grpcPort, DemoOptions options) throws IOException {
    Path records = Files.createDirectories(kit.resolve("records"));
    Files.copy(dataDir.resolve(site.dataFile()), records.resolve(site.dataFile()));
    Files.copy(dataDir.resolve("uci-mapping.yaml"), kit.resolve("mapping.yaml"));
    List<String> ownSplit = new ArrayList<>();
    try (Stream<String> lines = Files.lines(dataDir.resolve("flamby_split_rs43.csv"))) {
      lines.forEachOrdered(
          line -> {
            if (ownSplit.isEmpty() || line.split(",", 3)[1].equals(site.splitCenter())) {
              ownSplit.add(line);
            }
          });
    }
    Files.write(kit.resolve("split.csv"), ownSplit);
    Files.writeString(
        kit.resolve("site.yaml"),
        """
        # MedFed site node configuration for %s (%s), written by the demo.
        coordinator: 127.0.0.1:%d
        tls:
          certificate: site.crt.pem
          private-key: site.key.pem
          ca-certificate: ca.crt.pem
        data:
          connector: csv
          path: records/%s
          mapping: mapping.yaml
          split-file: split.csv
          split-center: %s
        policy:
          allowed-model-types: [logistic-regression]
          allowed-columns: [age, sex, cp, trestbps, chol, fbs, restecg, thalach, exang, oldpeak, num]
        %sstate-dir: state
        """
            .formatted(
                site.hospital(),
                site.country(),
                grpcPort,
                site.dataFile(),
                site.splitCenter(),
                options.dpEpsilon().isEmpty()
                    ? ""
                    : "  privacy-cap: {epsilon: %s, delta: %s}\n"
                        .formatted(options.dpEpsilon().getAsDouble(), DpDefaults.DELTA)));
  }

  private static Path requireFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DemoFailure(file + " is missing: build first with ./mvnw -DskipTests package");
    }
    return file;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("medfed-demo-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.err.println("demo: could not remove " + dir + ": " + e.getMessage());
    }
  }

  /** A failure of the demo itself, reported as one sentence. */
  static final class DemoFailure extends RuntimeException {
    DemoFailure(String message) {
      super(message);
    }
  }
}
