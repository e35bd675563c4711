package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.StudyOpened;

/** {@code model-step} on the real demo run: the coordinator's FedAdam models replay exactly. */
class ModelStepFixtureTest {
  private final Path fixture = TestLogs.fixture();

  @Test
  void everyGlobalModelOfTheDemoRunReplaysFromItsInitialModel() throws IOException {
    CheckResult result =
        LogAuditor.verify(fixture, TestLogs.fixtureCa()).check("model-step").orElseThrow();

    assertEquals(CheckStatus.PASSED, result.status(), result.failures().toString());
    assertEquals(
        "3 new global models replayed from the retained initial model (fedadam)", result.summary());
  }

  @Test
  void anAlteredRetainedInitialModelFailsAtStudyOpened(@TempDir Path temp) throws IOException {
    int studyOpened = studyOpenedIndex();
    StudyOpened opened = entries().get(studyOpened).getDecision().getStudyOpened();
    Path copy = copyFixture(temp);
    Path initial =
        copy.resolve("contributions")
            .resolve(
                HexFormat.of().formatHex(opened.getInitialModelSha256().toByteArray()) + ".bin");
    byte[] model = Files.readAllBytes(initial);
    // One bit of one parameter: a slightly different starting model.
    model[0] ^= 1;
    Files.write(initial, model);

    CheckResult result =
        LogAuditor.verify(copy, TestLogs.fixtureCa()).check("model-step").orElseThrow();

    assertEquals(CheckStatus.FAILED, result.status());
    assertEquals(1, result.failures().size(), result.failures().toString());
    assertEquals(studyOpened, result.failures().getFirst().entryIndex());
    assertTrue(
        result.failures().getFirst().message().contains("the initial model"),
        result.failures().getFirst().message());
  }

  private List<LogEntry> entries() {
    return TestLogs.payloads(TestLogs.read(fixture.resolve("exchange.log"))).stream()
        .map(TestLogs::parseEntry)
        .toList();
  }

  private int studyOpenedIndex() {
    List<LogEntry> entries = entries();
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).hasDecision() && entries.get(i).getDecision().hasStudyOpened()) {
        return i;
      }
    }
    throw new AssertionError("the fixture has no StudyOpened");
  }

  private Path copyFixture(Path temp) throws IOException {
    Path copy = Files.createDirectories(temp.resolve("log"));
    Files.copy(fixture.resolve("exchange.log"), copy.resolve("exchange.log"));
    Files.copy(fixture.resolve("tree-heads.log"), copy.resolve("tree-heads.log"));
    Path contributions = Files.createDirectories(copy.resolve("contributions"));
    try (Stream<Path> files = Files.list(fixture.resolve("contributions"))) {
      for (Path file : files.toList()) {
        Files.copy(file, contributions.resolve(file.getFileName()));
      }
    }
    return copy;
  }
}
