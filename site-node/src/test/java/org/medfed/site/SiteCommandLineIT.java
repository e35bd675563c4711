package org.medfed.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged site node as a hospital runs it: a bad file stops it with one sentence and a
 * non-zero exit before it contacts anyone (the coordinator address below has no listener, so a node
 * that got as far as connecting would retry forever instead of exiting).
 */
@Timeout(120)
class SiteCommandLineIT {
  @TempDir Path dir;
  private final Path data = Path.of(System.getProperty("medfed.repo.root"), "data/heart-disease");

  @Test
  void missingCertificateStopsTheSiteWithOneSentence() throws Exception {
    writeKit(data.resolve("processed.cleveland.data"));
    Files.delete(dir.resolve("site.crt.pem"));
    String stderr = runExpectingFailure();
    assertTrue(stderr.contains("tls.certificate"), stderr);
    assertTrue(stderr.contains("site.crt.pem"), stderr);
  }

  @Test
  void malformedCsvRowNamesFileLineAndColumn() throws Exception {
    List<String> lines = Files.readAllLines(data.resolve("processed.hungarian.data"));
    lines.set(11, lines.get(11).replaceFirst("^([^,]*,[^,]*,[^,]*,[^,]*,)[^,]*", "$1abc"));
    Path broken = dir.resolve("processed.hungarian.data");
    Files.write(broken, lines);
    writeKit(broken);
    String stderr = runExpectingFailure();
    assertTrue(stderr.contains("processed.hungarian.data"), stderr);
    assertTrue(stderr.contains("line 12"), stderr);
    assertTrue(stderr.contains("chol"), stderr);
  }

  @Test
  void mappingThatNamesAMissingColumnStopsTheSite() throws Exception {
    writeKit(data.resolve("processed.cleveland.data"));
    Files.writeString(
        dir.resolve("mapping.yaml"),
        Files.readString(dir.resolve("mapping.yaml")).replace("num: 14", "num: 15"));
    String stderr = runExpectingFailure();
    assertTrue(stderr.contains("num"), stderr);
    assertTrue(stderr.contains("15"), stderr);
  }

  private String runExpectingFailure() throws Exception {
    Path jar =
        Path.of(System.getProperty("medfed.repo.root"), "site-node/target/medfed-site-node.jar");
    Process process =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                jar.toString(),
                "--config",
                dir.resolve("site.yaml").toString())
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .redirectError(dir.resolve("stderr.log").toFile())
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the site did not stop on a bad file");
    }
    String stderr = Files.readString(dir.resolve("stderr.log"));
    assertEquals(1, process.exitValue(), stderr);
    assertEquals(1, stderr.strip().lines().count(), stderr);
    assertTrue(stderr.startsWith("medfed-site: "), stderr);
    assertTrue(Files.notExists(dir.resolve("state/egress.jsonl")), "something was sent");
    return stderr;
  }

  private void writeKit(Path records) throws Exception {
    var ca = org.medfed.crypto.pki.CertificateAuthority.create("t", java.time.Duration.ofDays(1));
    var site = ca.issueSite("cleveland", java.time.Duration.ofDays(1));
    Files.writeString(dir.resolve("site.crt.pem"), site.certificatePem());
    Files.writeString(dir.resolve("site.key.pem"), site.privateKeyPem());
    Files.writeString(dir.resolve("ca.crt.pem"), ca.certificatePem());
    Files.copy(data.resolve("uci-mapping.yaml"), dir.resolve("mapping.yaml"));
    Files.writeString(
        dir.resolve("site.yaml"),
        """
        coordinator: 127.0.0.1:9
        tls:
          certificate: site.crt.pem
          private-key: site.key.pem
          ca-certificate: ca.crt.pem
        data:
          connector: csv
          path: %s
          mapping: mapping.yaml
        policy:
          allowed-model-types: [logistic-regression]
          allowed-columns: [age, sex, cp, trestbps, chol, fbs, restecg, thalach, exang, oldpeak, num]
        state-dir: state
        """
            .formatted(records));
  }
}
