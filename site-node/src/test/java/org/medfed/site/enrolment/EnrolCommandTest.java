package org.medfed.site.enrolment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.EnrolmentToken;

/** What {@code medfed-site enrol} refuses before it contacts anyone. */
class EnrolCommandTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    err.reset();
    return EnrolCommand.run(
        List.of(args),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** A complete site.yaml whose key and certificate do not exist yet. */
  private Path config() throws Exception {
    Files.writeString(
        dir.resolve("ca.crt.pem"),
        CertificateAuthority.create("test", Duration.ofDays(1)).certificatePem());
    Files.writeString(dir.resolve("records.csv"), "1,2\n");
    Files.writeString(dir.resolve("mapping.yaml"), "age: 1\n");
    Path config = dir.resolve("site.yaml");
    Files.writeString(
        config,
        """
        coordinator: localhost:1
        tls:
          certificate: site.crt.pem
          private-key: site.key.pem
          ca-certificate: ca.crt.pem
        data:
          connector: csv
          path: records.csv
          mapping: mapping.yaml
        policy:
          allowed-model-types: [logistic-regression]
          allowed-columns: [age]
        state-dir: state
        """);
    return config;
  }

  private static String token() {
    return EnrolmentToken.generate("charite", Instant.now().plusSeconds(3600), new SecureRandom())
        .reveal();
  }

  @Test
  void usageErrors() {
    assertEquals(2, run());
    assertTrue(err().contains("usage: medfed-site enrol"), err());
    assertEquals(2, run("--config", "site.yaml"));
    assertEquals(2, run("--config", "site.yaml", "--token", "a", "--token-file", "b"));
    assertEquals(2, run("--bogus", "x"));
  }

  @Test
  void existingKeyIsNeverOverwritten() throws Exception {
    Path config = config();
    Files.writeString(dir.resolve("site.key.pem"), "old key");

    assertEquals(1, run("--config", config.toString(), "--token", token()));
    assertTrue(err().contains("already exists"), err());
    assertEquals("old key", Files.readString(dir.resolve("site.key.pem")));
  }

  @Test
  void malformedTokenIsRefusedBeforeAnythingIsSent() throws Exception {
    Path config = config();

    assertEquals(1, run("--config", config.toString(), "--token", "mfe1.charite.oops"));
    assertTrue(err().contains("the enrolment token is malformed"), err());
    assertTrue(Files.notExists(dir.resolve("state/egress.jsonl")), "something was sent");
    assertTrue(Files.notExists(dir.resolve("site.key.pem")));
  }

  @Test
  void unreachableCoordinatorWritesNoFiles() throws Exception {
    Path config = config();

    assertEquals(1, run("--config", config.toString(), "--token", token()));
    assertTrue(err().contains("the coordinator refused the enrolment: UNAVAILABLE"), err());
    assertTrue(Files.notExists(dir.resolve("site.key.pem")));
    assertTrue(Files.notExists(dir.resolve("site.crt.pem")));
  }
}
