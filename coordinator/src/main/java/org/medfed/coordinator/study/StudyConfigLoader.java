package org.medfed.coordinator.study;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.medfed.coordinator.strategy.StrategyConfig;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads and validates a study file ({@code deploy/local/study.yaml} is the reference).
 *
 * <p>Every rule is checked here, before any record is built, so that a mistake is reported as one
 * sentence naming the file and the field rather than as a stack trace. Unknown keys are errors.
 *
 * <p>Keys that may be omitted and their defaults: {@code title} (the id), {@code seed} (42), {@code
 * model.label.positive-above} (0), {@code local-training.optimizer} (sgd), {@code
 * strategy.server-learning-rate} (1 for fedavg and fedprox; required for the adaptive strategies),
 * {@code strategy.beta1} (0.9), {@code strategy.beta2} (0.999), {@code strategy.tau} (1e-8), {@code
 * strategy.proximal-mu} (0), {@code min-sites} (all sites), {@code round-deadline} (30s), {@code
 * on-round-failure} (continue).
 */
public final class StudyConfigLoader {

  private static final String ID_RULE =
      "must be lowercase letters, digits and hyphens, starting with a letter or digit";
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

  private StudyConfigLoader() {}

  /** Reads a study file; errors name the file as {@code yamlFile} spells it. */
  public static StudyConfig load(Path yamlFile) throws StudyConfigException {
    String source = yamlFile.toString();
    String yaml;
    try {
      yaml = Files.readString(yamlFile);
    } catch (NoSuchFileException e) {
      throw new StudyConfigException(source + ": the study file does not exist", e);
    } catch (CharacterCodingException e) {
      throw new StudyConfigException(source + ": the study file is not valid UTF-8", e);
    } catch (IOException e) {
      throw new StudyConfigException(source + ": the study file cannot be read: " + e, e);
    }
    return parse(yaml, source);
  }

  /**
   * Parses a study from YAML text.
   *
   * @param sourceName how error messages name the text, usually its file name
   */
  public static StudyConfig parse(String yaml, String sourceName) throws StudyConfigException {
    JsonNode root = readTree(yaml, sourceName);
    Section top = Section.root(sourceName, root);
    top.allowOnly(
        "id",
        "title",
        "model",
        "rounds",
        "seed",
        "local-training",
        "strategy",
        "sites",
        "min-sites",
        "round-deadline",
        "on-round-failure",
        "privacy",
        "secure-aggregation");

    String id = top.requiredString("id");
    if (!StudyConfig.ID.matcher(id).matches()) {
      throw top.fail("id", ID_RULE + ", got '" + id + "'");
    }
    String title = top.optionalString("title").orElse(id);
    if (title.isBlank()) {
      throw top.fail("title", "must not be blank");
    }
    ModelConfig model = model(top.section("model"));
    int rounds = atLeastOne(top, "rounds");
    long seed = seed(top);
    LocalTrainingConfig localTraining = localTraining(top.section("local-training"));
    StrategyConfig strategy = strategy(top.section("strategy"));
    List<String> sites = sites(top);
    int minSites = minSites(top, sites.size());
    Duration roundDeadline = roundDeadline(top);
    RoundFailurePolicy onRoundFailure = onRoundFailure(top);
    PrivacyConfig privacy = privacy(top);
    SecureAggregationConfig secureAggregation = secureAggregation(top);
    if (privacy != null && privacy.distributedNoise()) {
      checkDistributedNoise(
          top.optionalSection("privacy").orElseThrow(), localTraining, secureAggregation);
    }
    return new StudyConfig(
        id,
        title,
        model,
        rounds,
        seed,
        localTraining,
        strategy,
        sites,
        minSites,
        roundDeadline,
        onRoundFailure,
        privacy,
        secureAggregation);
  }

  /** The optional secure-aggregation section; absent means sites send plaintext updates. */
  private static SecureAggregationConfig secureAggregation(Section top)
      throws StudyConfigException {
    Optional<Section> section = top.optionalSection("secure-aggregation");
    if (section.isEmpty()) {
      return null;
    }
    Section secure = section.get();
    secure.allowOnly(
        "enabled", "threshold", "protocol", "neighbours", "clip", "record-scale", "phase-deadline");
    Optional<JsonNode> enabled = secure.optional("enabled");
    if (enabled.isPresent() && !enabled.get().isBoolean()) {
      throw secure.fail("enabled", "must be true or false, got " + Section.describe(enabled.get()));
    }
    if (enabled.isPresent() && !enabled.get().asBoolean()) {
      return null;
    }
    int threshold = secure.optional("threshold").isPresent() ? atLeastOne(secure, "threshold") : 0;
    if (threshold == 1) {
      throw secure.fail("threshold", "must be at least 2: one site's sum is its own update");
    }
    String protocol = secure.optionalString("protocol").orElse("secagg");
    int neighbours = 0;
    switch (protocol) {
      case "secagg" -> {
        if (secure.optional("neighbours").isPresent()) {
          throw secure.fail("neighbours", "applies only to protocol secagg+");
        }
      }
      case "secagg+" -> neighbours = atLeastOne(secure, "neighbours");
      default -> throw secure.fail("protocol", "must be secagg or secagg+, got '" + protocol + "'");
    }
    double clip =
        secure.optional("clip").isPresent()
            ? positive(secure, "clip")
            : SecureAggregationConfig.DEFAULT_CLIP;
    long recordScale =
        secure.optional("record-scale").isPresent()
            ? atLeastOne(secure, "record-scale")
            : SecureAggregationConfig.DEFAULT_RECORD_SCALE;
    Duration phaseDeadline =
        duration(secure, "phase-deadline", SecureAggregationConfig.DEFAULT_PHASE_DEADLINE);
    return new SecureAggregationConfig(threshold, neighbours, clip, recordScale, phaseDeadline);
  }

  /**
   * Distributed noise is only private under secure aggregation (the coordinator must never see one
   * site's share of the noise alone) and only bounded per record for one clipped gradient sum per
   * round: several un-noised local steps have no bounded record sensitivity.
   */
  private static void checkDistributedNoise(
      Section privacy, LocalTrainingConfig localTraining, SecureAggregationConfig secure)
      throws StudyConfigException {
    if (secure == null) {
      throw privacy.fail(
          "distributed-noise",
          "needs secure aggregation, because each site adds only part of the noise: enable"
              + " secure-aggregation or set distributed-noise to false");
    }
    if (localTraining.steps() != 1) {
      throw privacy.fail(
          "distributed-noise",
          "trains one clipped gradient sum per round (FedSGD): set local-training.steps to 1, got "
              + localTraining.steps());
    }
    if (!localTraining.optimizer().equals("sgd")) {
      throw privacy.fail(
          "distributed-noise",
          "applies the noisy mean gradient with plain SGD at the coordinator: set"
              + " local-training.optimizer to sgd, got "
              + localTraining.optimizer());
    }
  }

  /** The optional DP-SGD section; absent means the study trains without differential privacy. */
  private static PrivacyConfig privacy(Section top) throws StudyConfigException {
    Optional<Section> section = top.optionalSection("privacy");
    if (section.isEmpty()) {
      return null;
    }
    Section privacy = section.get();
    privacy.allowOnly(
        "noise-multiplier", "clipping-norm", "sampling-rate", "delta", "distributed-noise");
    double noiseMultiplier = positive(privacy, "noise-multiplier");
    double clippingNorm = positive(privacy, "clipping-norm");
    double samplingRate = positive(privacy, "sampling-rate");
    if (samplingRate > 1) {
      throw privacy.fail("sampling-rate", "must be at most 1, got " + samplingRate);
    }
    double delta = positive(privacy, "delta");
    if (delta >= 1) {
      throw privacy.fail("delta", "must be below 1, got " + delta);
    }
    Optional<JsonNode> distributed = privacy.optional("distributed-noise");
    if (distributed.isPresent() && !distributed.get().isBoolean()) {
      throw privacy.fail(
          "distributed-noise", "must be true or false, got " + Section.describe(distributed.get()));
    }
    return new PrivacyConfig(
        noiseMultiplier,
        clippingNorm,
        samplingRate,
        delta,
        distributed.map(JsonNode::asBoolean).orElse(false));
  }

  private static JsonNode readTree(String yaml, String source) throws StudyConfigException {
    // A fresh mapper per call: the loader holds no shared mutable state.
    ObjectMapper mapper =
        new ObjectMapper(
            YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
    JsonNode root;
    try {
      root = mapper.readTree(yaml);
    } catch (JsonProcessingException e) {
      String problem =
          e.getCause() instanceof MarkedYAMLException marked && marked.getProblem() != null
              ? marked.getProblem()
              : e.getOriginalMessage().lines().findFirst().orElse("unreadable YAML");
      problem = problem.replace("Duplicate field", "duplicate key");
      throw new StudyConfigException(
          source
              + ": YAML syntax error at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ": "
              + problem,
          e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new StudyConfigException(
          source
              + ": the file is empty; a study needs at least id, model, rounds, "
              + "local-training, strategy and sites");
    }
    return root;
  }

  private static ModelConfig model(Section model) throws StudyConfigException {
    model.allowOnly("type", "features", "label");
    String type = model.requiredString("type");
    if (!type.equals(ModelConfig.LOGISTIC_REGRESSION)) {
      throw model.fail(
          "type",
          "'"
              + type
              + "' is not supported: "
              + ModelConfig.LOGISTIC_REGRESSION
              + " is the only model so far");
    }
    Section label = model.section("label");
    label.allowOnly("column", "positive-above");
    String labelColumn = label.requiredString("column");
    if (!ModelConfig.COLUMN.matcher(labelColumn).matches()) {
      throw label.fail(
          "column",
          "must be a column name (letters, digits and underscores), got '" + labelColumn + "'");
    }
    double positiveAbove = 0;
    Optional<JsonNode> threshold = label.optional("positive-above");
    if (threshold.isPresent()) {
      if (!threshold.get().isNumber() || !Double.isFinite(threshold.get().asDouble())) {
        throw label.fail(
            "positive-above", "must be a finite number, got " + Section.describe(threshold.get()));
      }
      positiveAbove = threshold.get().asDouble();
    }
    List<String> features = model.stringList("features");
    if (features.isEmpty()) {
      throw model.fail("features", "must list at least one feature");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < features.size(); i++) {
      String feature = features.get(i);
      if (!ModelConfig.FEATURE.matcher(feature).matches()) {
        throw model.fail(
            "features[" + i + "]",
            "'" + feature + "' is neither a column name such as age nor an indicator such as cp=2");
      }
      if (!seen.add(feature)) {
        throw model.fail("features", "lists '" + feature + "' twice");
      }
      // A feature read from the label column would hand the model its answer.
      if (ModelConfig.column(feature).equals(labelColumn)) {
        throw model.fail(
            "features",
            "must not use the label column '" + labelColumn + "', got '" + feature + "'");
      }
    }
    return new ModelConfig(type, features, labelColumn, positiveAbove);
  }

  private static LocalTrainingConfig localTraining(Section training) throws StudyConfigException {
    training.allowOnly("steps", "batch-size", "learning-rate", "optimizer");
    int steps = atLeastOne(training, "steps");
    int batchSize = atLeastOne(training, "batch-size");
    double learningRate = positive(training, "learning-rate");
    String optimizer = training.optionalString("optimizer").orElse("sgd");
    requireOneOf(training, "optimizer", optimizer, LocalTrainingConfig.OPTIMIZERS);
    return new LocalTrainingConfig(steps, batchSize, learningRate, optimizer);
  }

  private static StrategyConfig strategy(Section strategy) throws StudyConfigException {
    strategy.allowOnly("name", "server-learning-rate", "beta1", "beta2", "tau", "proximal-mu");
    String name = strategy.requiredString("name");
    requireOneOf(strategy, "name", name, StrategyConfig.NAMES);
    boolean averaging = name.equals("fedavg") || name.equals("fedprox");
    // Plain averaging has a natural server rate of 1; an adaptive one has none worth guessing.
    if (!averaging && strategy.optional("server-learning-rate").isEmpty()) {
      throw strategy.fail("server-learning-rate", "is required for " + name);
    }
    double serverLearningRate =
        strategy.optional("server-learning-rate").isPresent()
            ? positive(strategy, "server-learning-rate")
            : 1.0;
    double beta1 = decayRate(strategy, "beta1", 0.9);
    double beta2 = decayRate(strategy, "beta2", 0.999);
    double tau = strategy.optional("tau").isPresent() ? positive(strategy, "tau") : 1e-8;
    double proximalMu = 0;
    Optional<JsonNode> mu = strategy.optional("proximal-mu");
    if (mu.isPresent()) {
      proximalMu = mu.get().asDouble();
      if (!mu.get().isNumber() || !(proximalMu >= 0) || !Double.isFinite(proximalMu)) {
        throw strategy.fail(
            "proximal-mu", "must be a non-negative number, got " + Section.describe(mu.get()));
      }
    }
    if (name.equals("fedprox") && proximalMu == 0) {
      throw strategy.fail("proximal-mu", "must be positive for fedprox, got " + proximalMu);
    }
    if (name.equals("fedavg") && proximalMu != 0) {
      throw strategy.fail(
          "proximal-mu",
          "must be 0 for fedavg (name fedprox to train with a proximal term), got "
              + Section.describe(mu.orElseThrow()));
    }
    return new StrategyConfig(name, serverLearningRate, beta1, beta2, tau, proximalMu);
  }

  private static List<String> sites(Section top) throws StudyConfigException {
    List<String> sites = top.stringList("sites");
    if (sites.isEmpty()) {
      throw top.fail("sites", "must list at least one site");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < sites.size(); i++) {
      String site = sites.get(i);
      if (!StudyConfig.ID.matcher(site).matches()) {
        throw top.fail("sites[" + i + "]", ID_RULE + ", got '" + site + "'");
      }
      if (!seen.add(site)) {
        throw top.fail("sites", "lists '" + site + "' twice");
      }
    }
    return sites;
  }

  private static long seed(Section top) throws StudyConfigException {
    Optional<JsonNode> seed = top.optional("seed");
    if (seed.isEmpty()) {
      return 42;
    }
    if (!seed.get().isIntegralNumber() || !seed.get().canConvertToLong()) {
      throw top.fail("seed", "must be a whole number, got " + Section.describe(seed.get()));
    }
    return seed.get().asLong();
  }

  private static int minSites(Section top, int siteCount) throws StudyConfigException {
    Optional<JsonNode> value = top.optional("min-sites");
    if (value.isEmpty()) {
      return siteCount;
    }
    JsonNode node = value.get();
    if (!node.isIntegralNumber()
        || !node.canConvertToInt()
        || node.asInt() < 1
        || node.asInt() > siteCount) {
      throw top.fail(
          "min-sites",
          "must be a whole number between 1 and the number of sites ("
              + siteCount
              + "), got "
              + Section.describe(node));
    }
    return node.asInt();
  }

  private static Duration roundDeadline(Section top) throws StudyConfigException {
    return duration(top, "round-deadline", Duration.ofSeconds(30));
  }

  private static Duration duration(Section top, String key, Duration fallback)
      throws StudyConfigException {
    Optional<JsonNode> value = top.optional(key);
    if (value.isEmpty()) {
      return fallback;
    }
    Matcher matcher = DURATION.matcher(value.get().isTextual() ? value.get().asText() : "");
    Duration deadline = Duration.ZERO;
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      deadline =
          switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
          };
    }
    if (deadline.isZero()) {
      throw top.fail(
          key,
          "must be a positive duration such as 30s, 2m or 500ms, got "
              + Section.describe(value.get()));
    }
    return deadline;
  }

  private static RoundFailurePolicy onRoundFailure(Section top) throws StudyConfigException {
    String policy = top.optionalString("on-round-failure").orElse("continue");
    requireOneOf(top, "on-round-failure", policy, List.of("continue", "stop"));
    return RoundFailurePolicy.valueOf(policy.toUpperCase(Locale.ROOT));
  }

  /** A whole number of at least 1, required. */
  private static int atLeastOne(Section section, String key) throws StudyConfigException {
    JsonNode node = section.required(key);
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 1) {
      throw section.fail(
          key, "must be a whole number of at least 1, got " + Section.describe(node));
    }
    return node.asInt();
  }

  /** A positive finite number, required. */
  private static double positive(Section section, String key) throws StudyConfigException {
    JsonNode node = section.required(key);
    if (!node.isNumber() || !(node.asDouble() > 0) || !Double.isFinite(node.asDouble())) {
      throw section.fail(key, "must be a positive number, got " + Section.describe(node));
    }
    return node.asDouble();
  }

  private static double decayRate(Section section, String key, double fallback)
      throws StudyConfigException {
    Optional<JsonNode> value = section.optional(key);
    if (value.isEmpty()) {
      return fallback;
    }
    double rate = value.get().asDouble();
    if (!value.get().isNumber() || !(rate >= 0 && rate < 1)) {
      throw section.fail(key, "must be a number in [0, 1), got " + Section.describe(value.get()));
    }
    return rate;
  }

  private static void requireOneOf(Section section, String key, String value, List<String> allowed)
      throws StudyConfigException {
    if (!allowed.contains(value)) {
      throw section.fail(key, "'" + value + "' is not one of " + String.join(", ", allowed));
    }
  }
}
