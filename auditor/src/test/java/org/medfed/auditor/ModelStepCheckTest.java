package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.crypto.aggregation.FedAdam;
import org.medfed.crypto.aggregation.FedAvg;
import org.medfed.crypto.aggregation.ModelEncoding;
import org.medfed.proto.v1.StrategyParameters;

class ModelStepCheckTest {
  private static final StrategyParameters ADAM =
      ModelSteps.parameters("fedadam", 0.01, 0.9, 0.99, 1e-3, 0);
  private static final double[] INITIAL = {0.25, -0.5, 0.125};

  @TempDir Path temp;

  private ModelSteps study() {
    return new ModelSteps(temp, ADAM, ModelSteps.strategy(ADAM), INITIAL);
  }

  @Test
  void modelsSteppedWithTheLoggedStrategyReplayAcrossAFailedRound() {
    ModelSteps study = study();
    study.completed(new double[] {0.1, -0.2, 0.3});
    // A failed round keeps the model and the optimiser's moments as they were.
    study.failed();
    study.completed(new double[] {-0.05, 0.4, 0.0});

    CheckResult result = study.audit();

    assertEquals(CheckStatus.PASSED, result.status(), result.failures().toString());
    assertEquals(
        "2 new global models replayed from the retained initial model (fedadam)", result.summary());
  }

  @Test
  void aCoordinatorThatAppliedAnotherStepFailsAtThatRoundsRoundClosed() {
    ModelSteps study = study();
    study.completed(new double[] {0.1, -0.2, 0.3});
    study.applyFromNowOn(new FedAdam(0.02, 0.9, 0.99, 1e-3, 0));
    long wrong = study.completed(new double[] {-0.05, 0.4, 0.0});
    study.completed(new double[] {0.3, 0.3, 0.3});

    CheckResult result = study.audit();

    assertEquals(CheckStatus.FAILED, result.status());
    assertEquals(1, result.failures().size(), result.failures().toString());
    Finding failure = result.failures().getFirst();
    assertEquals(wrong, failure.entryIndex());
    assertTrue(
        failure.message().startsWith("round 2 of study study-1: the logged new model (SHA-256 "),
        failure.message());
    assertTrue(
        failure.message().contains("is not the logged fedadam step from model version 1"),
        failure.message());
    // One wrong step is reported once; what follows it cannot be replayed.
    assertTrue(
        result.summary().endsWith(", 1 not recomputable: after a failed replay"), result.summary());
  }

  @Test
  void loggedStrategyParametersOtherThanThoseUsedFailAtTheFirstCompletedRound() {
    // Logged: FedAdam with η = 0.01. Used: FedAvg with η = 1.
    ModelSteps study = new ModelSteps(temp, ADAM, new FedAvg(1, 0), INITIAL);
    study.failed();
    long first = study.completed(new double[] {0.1, -0.2, 0.3});

    CheckResult result = study.audit();

    assertEquals(CheckStatus.FAILED, result.status());
    assertEquals(first, result.failures().getFirst().entryIndex());
    assertTrue(
        result.failures().getFirst().message().contains("from model version 0"),
        result.failures().getFirst().message());
  }

  @Test
  void anAlteredRetainedInitialModelFailsAtStudyOpened() throws IOException {
    ModelSteps study = study();
    study.completed(new double[] {0.1, -0.2, 0.3});
    Path initial =
        study
            .contributions()
            .resolve(ModelSteps.hex(ModelSteps.sha256(ModelEncoding.encode(INITIAL))) + ".bin");
    Files.write(initial, ModelEncoding.encode(new double[] {0.25, -0.5, 0.126}));

    CheckResult result = study.audit();

    assertEquals(CheckStatus.FAILED, result.status());
    assertEquals(1, result.failures().size(), result.failures().toString());
    Finding failure = result.failures().getFirst();
    assertEquals(study.studyOpenedIndex(), failure.entryIndex());
    assertTrue(
        failure.message().contains("does not have the digest it is named by"), failure.message());
  }

  @Test
  void aMissingInitialModelFailsAtStudyOpenedOnceARoundNeedsIt() throws IOException {
    ModelSteps study = study();
    study.completed(new double[] {0.1, -0.2, 0.3});
    study.completed(new double[] {0.1, -0.2, 0.3});
    try (var files = Files.list(study.contributions())) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }

    CheckResult result = study.audit();

    assertEquals(1, result.failures().size(), result.failures().toString());
    assertEquals(study.studyOpenedIndex(), result.failures().getFirst().entryIndex());
    assertTrue(
        result.failures().getFirst().message().contains("was not retained, so round 1"),
        result.failures().getFirst().message());
  }

  @Test
  void aRoundOpenedFromAnotherModelThanTheReplayedOneFailsAtRoundOpened() {
    ModelSteps study = study();
    long opened = study.openFrom(0, new byte[32]);

    CheckResult result = study.audit();

    assertEquals(CheckStatus.FAILED, result.status());
    assertEquals(opened, result.failures().getFirst().entryIndex());
    assertTrue(
        result
            .failures()
            .getFirst()
            .message()
            .startsWith("round 1 of study study-1 opens from model version 0 with SHA-256 0000"),
        result.failures().getFirst().message());
  }

  @Test
  void aPlaintextRoundEndsTheChainAndIsCountedNotFailed() {
    ModelSteps study = study();
    study.completed(new double[] {0.1, -0.2, 0.3});
    study.completedInPlaintext(new double[] {0.2, 0.2, 0.2});
    study.completed(new double[] {0.1, -0.2, 0.3});

    CheckResult result = study.audit();

    assertEquals(CheckStatus.PASSED, result.status(), result.failures().toString());
    assertEquals(
        "1 new global models replayed from the retained initial model (fedadam), 1 not"
            + " recomputable: plaintext round, 1 not recomputable: after a plaintext round",
        result.summary());
  }

  @Test
  void withoutRetainedPayloadsTheCheckIsSkipped() {
    CheckResult result =
        ModelStepCheck.run(
            List.of(),
            RetainedPayloads.none(),
            new AggregateCheck.Recomputed(
                CheckResult.skipped("aggregate-recomputation", "none"),
                java.util.Map.of(),
                java.util.Set.of()));

    assertEquals(CheckStatus.SKIPPED, result.status());
  }
}
