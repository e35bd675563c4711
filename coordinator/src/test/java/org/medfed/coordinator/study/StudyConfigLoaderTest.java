package org.medfed.coordinator.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.strategy.StrategyConfig;

class StudyConfigLoaderTest {

  /** A valid study in block style, so that each test can change one line of it. */
  private static final String VALID =
      """
      id: heart-disease
      title: Heart disease
      model:
        type: logistic-regression
        features: [age, sex, cp=2]
        label:
          column: num
          positive-above: 0
      rounds: 15
      seed: 7
      local-training:
        steps: 100
        batch-size: 4
        learning-rate: 0.01
        optimizer: sgd
      strategy:
        name: fedadam
        server-learning-rate: 0.01
        beta1: 0.9
        beta2: 0.999
        tau: 1.0e-8
        proximal-mu: 0
      sites: [cleveland, hungary, switzerland, long-beach]
      min-sites: 3
      round-deadline: 30s
      on-round-failure: continue
      """;

  private static final List<String> SITES =
      List.of("cleveland", "hungary", "switzerland", "long-beach");

  /** VALID with one line replaced; fails the test if the line is not there. */
  private static String with(String line, String replacement) {
    assertTrue(VALID.contains(line + "\n"), "test bug: no line '" + line + "'");
    return VALID.replace(line + "\n", replacement.isEmpty() ? "" : replacement + "\n");
  }

  private static String rejected(String yaml) {
    return assertThrows(
            StudyConfigException.class, () -> StudyConfigLoader.parse(yaml, "study.yaml"))
        .getMessage();
  }

  private static void assertRejectedNaming(String field, String yaml) {
    String message = rejected(yaml);
    assertTrue(message.startsWith("study.yaml: " + field + " "), message);
    assertEquals(1, message.lines().count(), message);
  }

  @Test
  void shippedLocalStudyLoads() throws Exception {
    Path file = Path.of(System.getProperty("medfed.repo.root"), "deploy", "local", "study.yaml");

    StudyConfig study = StudyConfigLoader.load(file);

    StudyConfig expected =
        new StudyConfig(
            "heart-disease",
            "Heart disease, four hospitals (FLamby Fed-Heart-Disease split)",
            new ModelConfig(
                "logistic-regression",
                List.of(
                    "age",
                    "sex",
                    "trestbps",
                    "chol",
                    "fbs",
                    "thalach",
                    "exang",
                    "oldpeak",
                    "cp=2",
                    "cp=3",
                    "cp=4",
                    "restecg=1",
                    "restecg=2"),
                "num",
                0),
            15,
            42,
            new LocalTrainingConfig(100, 4, 0.01, "sgd"),
            new StrategyConfig("fedadam", 0.01, 0.9, 0.999, 1e-8, 0),
            SITES,
            3,
            Duration.ofSeconds(30),
            RoundFailurePolicy.CONTINUE,
            null,
            new SecureAggregationConfig(0, 0, 1.0, 10_000, Duration.ofSeconds(10)));
    assertEquals(expected, study);
    assertEquals(14, study.model().parameterCount());
  }

  @Test
  void omittedOptionalKeysTakeTheirDefaults() throws Exception {
    String minimal =
        """
        id: tiny
        model:
          type: logistic-regression
          features: [age]
          label: {column: num}
        rounds: 1
        local-training: {steps: 1, batch-size: 1, learning-rate: 0.5}
        strategy: {name: fedavg}
        sites: [a, b]
        """;

    StudyConfig study = StudyConfigLoader.parse(minimal, "tiny.yaml");

    assertEquals("tiny", study.title());
    assertEquals(42, study.seed());
    assertEquals(0, study.model().labelPositiveAbove());
    assertEquals("sgd", study.localTraining().optimizer());
    assertEquals(new StrategyConfig("fedavg", 1.0, 0.9, 0.999, 1e-8, 0), study.strategy());
    assertEquals(2, study.minSites());
    assertEquals(Duration.ofSeconds(30), study.roundDeadline());
    assertEquals(RoundFailurePolicy.CONTINUE, study.onRoundFailure());
  }

  @Test
  void blockAndFlowStyleGiveTheSameStudy() throws Exception {
    String flow =
        with(
            "sites: [cleveland, hungary, switzerland, long-beach]",
            "sites:\n  - cleveland\n  - hungary\n  - switzerland\n  - long-beach");

    assertEquals(StudyConfigLoader.parse(VALID, "a.yaml"), StudyConfigLoader.parse(flow, "b.yaml"));
  }

  @Test
  void unknownStrategyIsRejectedListingTheKnownOnes() {
    assertEquals(
        "study.yaml: strategy.name 'fedfoo' is not one of fedavg, fedprox, fedadam, fedyogi,"
            + " fedadagrad",
        rejected(with("  name: fedadam", "  name: fedfoo")));
  }

  @Test
  void negativeLocalLearningRateIsRejected() {
    assertEquals(
        "study.yaml: local-training.learning-rate must be a positive number, got -0.1",
        rejected(with("  learning-rate: 0.01", "  learning-rate: -0.1")));
  }

  @Test
  void idMustBeLowercaseLettersDigitsAndHyphens() {
    assertRejectedNaming("id", with("id: heart-disease", "id: Heart_Disease"));
    assertRejectedNaming("id", with("id: heart-disease", "id: -heart"));
  }

  @Test
  void idIsRequired() {
    assertRejectedNaming("id", with("id: heart-disease", ""));
  }

  @Test
  void titleMustNotBeBlank() {
    assertRejectedNaming("title", with("title: Heart disease", "title: '  '"));
  }

  @Test
  void roundsMustBeAtLeastOne() {
    assertEquals(
        "study.yaml: rounds must be a whole number of at least 1, got 0",
        rejected(with("rounds: 15", "rounds: 0")));
  }

  @Test
  void roundsMustBeAWholeNumber() {
    assertRejectedNaming("rounds", with("rounds: 15", "rounds: 1.5"));
    assertRejectedNaming("rounds", with("rounds: 15", "rounds: many"));
  }

  @Test
  void seedMustBeAWholeNumber() {
    assertRejectedNaming("seed", with("seed: 7", "seed: lucky"));
  }

  @Test
  void onlyLogisticRegressionIsSupported() {
    assertEquals(
        "study.yaml: model.type 'mlp' is not supported: logistic-regression is the only model"
            + " so far",
        rejected(with("  type: logistic-regression", "  type: mlp")));
  }

  @Test
  void featuresMustNotBeEmpty() {
    assertRejectedNaming("model.features", with("  features: [age, sex, cp=2]", "  features: []"));
  }

  @Test
  void featuresMustNotRepeat() {
    assertRejectedNaming(
        "model.features", with("  features: [age, sex, cp=2]", "  features: [age, sex, age]"));
  }

  @Test
  void featuresMustBeColumnsOrIndicators() {
    assertRejectedNaming(
        "model.features[2]", with("  features: [age, sex, cp=2]", "  features: [age, sex, cp==2]"));
    assertRejectedNaming(
        "model.features[0]", with("  features: [age, sex, cp=2]", "  features: ['2age']"));
  }

  @Test
  void featuresMustNotReadTheLabelColumn() {
    assertRejectedNaming(
        "model.features", with("  features: [age, sex, cp=2]", "  features: [age, num=1]"));
  }

  @Test
  void labelColumnIsRequired() {
    assertRejectedNaming("model.label.column", with("    column: num", ""));
  }

  @Test
  void labelThresholdMustBeANumber() {
    assertRejectedNaming(
        "model.label.positive-above", with("    positive-above: 0", "    positive-above: zero"));
  }

  @Test
  void localStepsMustBeAtLeastOne() {
    assertRejectedNaming("local-training.steps", with("  steps: 100", "  steps: 0"));
  }

  @Test
  void batchSizeMustBeAtLeastOne() {
    assertRejectedNaming("local-training.batch-size", with("  batch-size: 4", "  batch-size: -4"));
  }

  @Test
  void localLearningRateMustBeFinite() {
    assertRejectedNaming(
        "local-training.learning-rate", with("  learning-rate: 0.01", "  learning-rate: 1e999"));
  }

  @Test
  void localOptimizerMustBeSgdOrAdam() {
    assertEquals(
        "study.yaml: local-training.optimizer 'rmsprop' is not one of sgd, adam",
        rejected(with("  optimizer: sgd", "  optimizer: rmsprop")));
  }

  @Test
  void serverLearningRateMustBePositive() {
    assertRejectedNaming(
        "strategy.server-learning-rate",
        with("  server-learning-rate: 0.01", "  server-learning-rate: 0"));
  }

  @Test
  void adaptiveStrategiesNeedAnExplicitServerLearningRate() {
    assertRejectedNaming("strategy.server-learning-rate", with("  server-learning-rate: 0.01", ""));
  }

  @Test
  void betasMustLieInTheHalfOpenUnitInterval() {
    assertEquals(
        "study.yaml: strategy.beta1 must be a number in [0, 1), got 1.0",
        rejected(with("  beta1: 0.9", "  beta1: 1.0")));
    assertRejectedNaming("strategy.beta2", with("  beta2: 0.999", "  beta2: -0.5"));
  }

  @Test
  void tauMustBePositive() {
    assertRejectedNaming("strategy.tau", with("  tau: 1.0e-8", "  tau: 0"));
  }

  @Test
  void proximalMuMustNotBeNegative() {
    assertRejectedNaming("strategy.proximal-mu", with("  proximal-mu: 0", "  proximal-mu: -1"));
  }

  @Test
  void fedProxNeedsAPositiveProximalMu() {
    assertRejectedNaming("strategy.proximal-mu", with("  name: fedadam", "  name: fedprox"));
  }

  @Test
  void fedAvgWithAProximalTermMustBeCalledFedProx() {
    String yaml =
        with("  name: fedadam", "  name: fedavg").replace("proximal-mu: 0", "proximal-mu: 0.1");
    assertRejectedNaming("strategy.proximal-mu", yaml);
  }

  @Test
  void fedProxWithAProximalTermLoads() throws Exception {
    String yaml =
        with("  name: fedadam", "  name: fedprox").replace("proximal-mu: 0", "proximal-mu: 0.1");
    assertEquals(0.1, StudyConfigLoader.parse(yaml, "study.yaml").strategy().proximalMu());
  }

  @Test
  void sitesMustNotBeEmpty() {
    assertRejectedNaming(
        "sites", with("sites: [cleveland, hungary, switzerland, long-beach]", "sites: []"));
  }

  @Test
  void sitesMustBeUnique() {
    assertEquals(
        "study.yaml: sites lists 'hungary' twice",
        rejected(
            with(
                "sites: [cleveland, hungary, switzerland, long-beach]",
                "sites: [cleveland, hungary, hungary]")));
  }

  @Test
  void siteIdsMustBeValidIds() {
    assertRejectedNaming(
        "sites[1]",
        with(
            "sites: [cleveland, hungary, switzerland, long-beach]",
            "sites: [cleveland, Long Beach]"));
  }

  @Test
  void minSitesMustBeBetweenOneAndTheNumberOfSites() {
    assertEquals(
        "study.yaml: min-sites must be a whole number between 1 and the number of sites (4), got 5",
        rejected(with("min-sites: 3", "min-sites: 5")));
    assertRejectedNaming("min-sites", with("min-sites: 3", "min-sites: 0"));
  }

  @Test
  void roundDeadlineMustBeAPositiveDurationWithAUnit() {
    assertRejectedNaming("round-deadline", with("round-deadline: 30s", "round-deadline: 30"));
    assertRejectedNaming("round-deadline", with("round-deadline: 30s", "round-deadline: 0s"));
    assertRejectedNaming("round-deadline", with("round-deadline: 30s", "round-deadline: soon"));
  }

  @Test
  void roundDeadlineAcceptsMillisecondsSecondsAndMinutes() throws Exception {
    assertEquals(
        Duration.ofMillis(500),
        StudyConfigLoader.parse(with("round-deadline: 30s", "round-deadline: 500ms"), "s.yaml")
            .roundDeadline());
    assertEquals(
        Duration.ofMinutes(2),
        StudyConfigLoader.parse(with("round-deadline: 30s", "round-deadline: 2m"), "s.yaml")
            .roundDeadline());
  }

  @Test
  void roundFailurePolicyMustBeContinueOrStop() throws Exception {
    assertRejectedNaming(
        "on-round-failure", with("on-round-failure: continue", "on-round-failure: retry"));
    assertEquals(
        RoundFailurePolicy.STOP,
        StudyConfigLoader.parse(
                with("on-round-failure: continue", "on-round-failure: stop"), "s.yaml")
            .onRoundFailure());
  }

  @Test
  void unknownKeysAreRejectedByName() {
    assertTrue(rejected(VALID + "epochs: 3\n").startsWith("study.yaml: epochs is not a known key"));
    assertTrue(
        rejected(with("  tau: 1.0e-8", "  tau: 1.0e-8\n  lr: 0.1"))
            .startsWith("study.yaml: strategy.lr is not a known key"));
  }

  @Test
  void sectionsMustBeMappings() {
    String block =
        "local-training:\n  steps: 100\n  batch-size: 4\n  learning-rate: 0.01\n  optimizer: sgd\n";
    assertTrue(VALID.contains(block), "test bug: no local-training block");

    assertEquals(
        "study.yaml: local-training must be a mapping, got 'fast'",
        rejected(VALID.replace(block, "local-training: fast\n")));
  }

  @Test
  void yamlSyntaxErrorsGiveLineAndColumn() {
    // The unclosed list on line 9 is noticed where the next key starts.
    assertEquals(
        "study.yaml: YAML syntax error at line 10, column 5: expected ',' or ']', but got :",
        rejected(with("rounds: 15", "rounds: [15")));
  }

  @Test
  void duplicateKeysAreRejectedWithTheirLine() {
    assertEquals(
        "study.yaml: YAML syntax error at line 10, column 7: duplicate key 'rounds'",
        rejected(with("seed: 7", "rounds: 3")));
  }

  @Test
  void emptyFileIsRejected() {
    assertTrue(rejected("# nothing yet\n").startsWith("study.yaml: the file is empty"));
  }

  @Test
  void missingFileIsReportedByItsPath(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");
    StudyConfigException e =
        assertThrows(StudyConfigException.class, () -> StudyConfigLoader.load(missing));
    assertEquals(missing + ": the study file does not exist", e.getMessage());
  }

  @Test
  void loadNamesTheFileInItsMessages(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("study.yaml");
    Files.writeString(file, with("rounds: 15", "rounds: 0"));

    StudyConfigException e =
        assertThrows(StudyConfigException.class, () -> StudyConfigLoader.load(file));

    assertTrue(e.getMessage().startsWith(file + ": rounds "), e.getMessage());
  }

  @Test
  void studyRecordRejectsMoreRequiredSitesThanSites() throws Exception {
    StudyConfig valid = StudyConfigLoader.parse(VALID, "study.yaml");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new StudyConfig(
                valid.id(),
                valid.title(),
                valid.model(),
                valid.rounds(),
                valid.seed(),
                valid.localTraining(),
                valid.strategy(),
                valid.sites(),
                5,
                valid.roundDeadline(),
                valid.onRoundFailure(),
                null,
                null));
  }

  @Test
  void privacySectionIsReadWithItsFourSettings() throws Exception {
    StudyConfig study =
        StudyConfigLoader.parse(
            VALID
                + "privacy: {noise-multiplier: 1.1, clipping-norm: 1.0, sampling-rate: 0.05,"
                + " delta: 1.0e-5}\n",
            "study.yaml");
    assertEquals(new PrivacyConfig(1.1, 1.0, 0.05, 1e-5), study.privacy());
  }

  @Test
  void nonPositiveNoiseMultiplierIsRefusedNamingTheField() {
    assertRejectedNaming(
        "privacy.noise-multiplier",
        VALID
            + "privacy: {noise-multiplier: 0, clipping-norm: 1.0, sampling-rate: 0.05,"
            + " delta: 1.0e-5}\n");
  }

  @Test
  void nonPositiveClippingNormIsRefusedNamingTheField() {
    assertRejectedNaming(
        "privacy.clipping-norm",
        VALID
            + "privacy: {noise-multiplier: 1, clipping-norm: -1, sampling-rate: 0.05,"
            + " delta: 1.0e-5}\n");
  }

  @Test
  void deltaOfOneOrMoreIsRefusedNamingTheField() {
    assertRejectedNaming(
        "privacy.delta",
        VALID
            + "privacy: {noise-multiplier: 1, clipping-norm: 1, sampling-rate: 0.05,"
            + " delta: 1}\n");
  }

  @Test
  void studyWithoutPrivacySectionHasNone() throws Exception {
    assertEquals(null, StudyConfigLoader.parse(VALID, "study.yaml").privacy());
  }

  private static final String DISTRIBUTED =
      "privacy: {noise-multiplier: 2, clipping-norm: 1, sampling-rate: 0.2, delta: 1.0e-5,"
          + " distributed-noise: true}\n";
  private static final String SECURE = "secure-aggregation: {enabled: true}\n";
  private static final String ONE_STEP =
      "local-training: {steps: 1, batch-size: 4, learning-rate: 0.5, optimizer: sgd}";

  @Test
  void distributedNoiseIsReadWithSecureAggregationAndOneStepPerRound() throws Exception {
    StudyConfig study = StudyConfigLoader.parse(oneStep() + DISTRIBUTED + SECURE, "study.yaml");
    assertEquals(new PrivacyConfig(2, 1, 0.2, 1e-5, true), study.privacy());
  }

  @Test
  void distributedNoiseWithoutSecureAggregationIsRefusedInOneSentence() {
    String message = rejected(oneStep() + DISTRIBUTED);
    assertTrue(
        message.startsWith("study.yaml: privacy.distributed-noise needs secure aggregation"),
        message);
    assertEquals(1, message.lines().count(), message);
  }

  @Test
  void distributedNoiseWithSecureAggregationSwitchedOffIsRefused() {
    assertRejectedNaming(
        "privacy.distributed-noise",
        oneStep() + DISTRIBUTED + "secure-aggregation: {enabled: false}\n");
  }

  @Test
  void distributedNoiseWithSeveralLocalStepsIsRefusedNamingTheSetting() {
    String message = rejected(VALID + DISTRIBUTED + SECURE);
    assertTrue(message.startsWith("study.yaml: privacy.distributed-noise "), message);
    assertTrue(message.contains("set local-training.steps to 1, got 100"), message);
  }

  @Test
  void distributedNoiseWithAdamIsRefused() {
    assertRejectedNaming(
        "privacy.distributed-noise",
        with(
                "local-training:\n  steps: 100\n  batch-size: 4\n  learning-rate: 0.01\n"
                    + "  optimizer: sgd",
                "local-training: {steps: 1, batch-size: 4, learning-rate: 0.5, optimizer: adam}")
            + DISTRIBUTED
            + SECURE);
  }

  @Test
  void distributedNoiseMustBeABoolean() {
    assertRejectedNaming(
        "privacy.distributed-noise",
        oneStep()
            + "privacy: {noise-multiplier: 2, clipping-norm: 1, sampling-rate: 0.2, delta: 1.0e-5,"
            + " distributed-noise: yes please}\n"
            + SECURE);
  }

  private static String oneStep() {
    return with(
        "local-training:\n  steps: 100\n  batch-size: 4\n  learning-rate: 0.01\n  optimizer: sgd",
        ONE_STEP);
  }
}
