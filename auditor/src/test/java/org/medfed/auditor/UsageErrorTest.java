package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageErrorTest {
  private final String log = TestLogs.fixture().toString();
  private final String ca = TestLogs.fixture().resolve("ca.crt.pem").toString();

  /** Exit 2, nothing on standard output, one line on standard error that mentions {@code what}. */
  private static void assertUsageError(String what, String... args) {
    TestLogs.Run run = TestLogs.run(args);
    assertEquals(2, run.exitCode(), run.err());
    assertEquals("", run.out());
    assertEquals(1, run.err().lines().count(), run.err());
    assertTrue(run.err().startsWith("medfed-audit: "), run.err());
    assertTrue(run.err().contains(what), run.err());
  }

  @Test
  void noCommandIsAUsageError() {
    assertUsageError("no command given");
  }

  @Test
  void unknownCommandIsAUsageError() {
    assertUsageError("unknown command \"check\"", "check", "--log", log, "--ca", ca);
  }

  @Test
  void unknownOptionIsAUsageError() {
    assertUsageError(
        "unknown option \"--frobnicate\"", "verify", "--log", log, "--ca", ca, "--frobnicate", "x");
  }

  @Test
  void missingLogIsAUsageError() {
    assertUsageError("--log DIR is required", "verify", "--ca", ca);
  }

  @Test
  void missingCaIsAUsageError() {
    assertUsageError("--ca CA.pem is required", "verify", "--log", log);
  }

  @Test
  void optionWithoutValueIsAUsageError() {
    assertUsageError("option --ca needs a value", "verify", "--log", log, "--ca");
  }

  @Test
  void repeatedOptionIsAUsageError() {
    assertUsageError("given twice", "verify", "--log", log, "--log", log, "--ca", ca);
  }

  @Test
  void logDirectoryThatDoesNotExistIsAUsageError(@TempDir Path temp) {
    assertUsageError(
        "is not a directory", "verify", "--log", temp.resolve("absent").toString(), "--ca", ca);
  }

  @Test
  void logDirectoryWithoutTreeHeadsIsAUsageError(@TempDir Path temp) throws IOException {
    Files.copy(TestLogs.fixture().resolve("exchange.log"), temp.resolve("exchange.log"));
    assertUsageError(
        "holds no readable tree-heads.log", "verify", "--log", temp.toString(), "--ca", ca);
  }

  @Test
  void unreadableCaFileIsAUsageError(@TempDir Path temp) {
    assertUsageError(
        "cannot read --ca", "verify", "--log", log, "--ca", temp.resolve("none.pem").toString());
  }

  @Test
  void caFileThatIsNotAPemCertificateIsAUsageError(@TempDir Path temp) throws IOException {
    Path notPem = Files.writeString(temp.resolve("ca.pem"), "hello");
    assertUsageError("is not a PEM certificate", "verify", "--log", log, "--ca", notPem.toString());
  }

  @Test
  void jsonFileInAMissingDirectoryIsAUsageError(@TempDir Path temp) {
    assertUsageError(
        "--json",
        "verify",
        "--log",
        log,
        "--ca",
        ca,
        "--json",
        temp.resolve("no/such/dir/report.json").toString());
  }

  @Test
  void helpPrintsUsageAndSucceeds() {
    TestLogs.Run run = TestLogs.run("--help");
    assertEquals(0, run.exitCode());
    assertTrue(run.out().startsWith("usage: " + AuditMain.USAGE), run.out());
  }
}
