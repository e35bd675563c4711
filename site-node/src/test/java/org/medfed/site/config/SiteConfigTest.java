package org.medfed.site.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteConfigTest {
  private static final String TLS =
      """
      tls:
        certificate: site.crt.pem
        private-key: site.key.pem
        ca-certificate: ca.crt.pem
      """;
  private static final String POLICY =
      """
      policy:
        allowed-model-types: [logistic-regression]
        allowed-columns: [age, sex, cp, num]
      """;

  @TempDir Path dir;

  @BeforeEach
  void createReferencedFiles() throws IOException {
    for (String f :
        new String[] {
          "site.crt.pem", "site.key.pem", "ca.crt.pem", "records.csv", "mapping.yaml", "split.csv"
        }) {
      Files.writeString(dir.resolve(f), "x");
    }
  }

  private static String data(String extra) {
    return "data:\n  connector: csv\n  path: records.csv\n  mapping: mapping.yaml\n" + extra;
  }

  private Path config(String text) throws IOException {
    return Files.writeString(dir.resolve("site.yaml"), text);
  }

  private Path valid(String dataExtra) throws IOException {
    return config(
        "coordinator: localhost:7443\n" + TLS + data(dataExtra) + POLICY + "state-dir: state\n");
  }

  private String failure(Path file) {
    return assertThrows(ConfigException.class, () -> SiteConfig.load(file)).getMessage();
  }

  @Test
  void loadsTheDocumentedExampleWithPathsRelativeToTheConfigFolder() throws Exception {
    SiteConfig c = SiteConfig.load(valid("  split-file: split.csv\n  split-center: cleveland\n"));
    assertEquals("localhost:7443", c.coordinatorAddress());
    assertEquals(dir.resolve("site.crt.pem"), c.tls().certificate());
    assertEquals(dir.resolve("site.key.pem"), c.tls().privateKey());
    assertEquals(dir.resolve("ca.crt.pem"), c.tls().caCertificate());
    assertEquals(
        new DataSource(
            "csv",
            dir.resolve("records.csv"),
            dir.resolve("mapping.yaml"),
            dir.resolve("split.csv"),
            "cleveland"),
        c.data());
    assertEquals(Set.of("logistic-regression"), c.policy().allowedModelTypes());
    assertEquals(Set.of("age", "sex", "cp", "num"), c.policy().allowedColumns());
    assertEquals(dir.resolve("state"), c.stateDir());
    assertEquals(dir.resolve("site.yaml"), c.file());
  }

  @Test
  void splitIsOptional() throws Exception {
    SiteConfig c = SiteConfig.load(valid(""));
    assertNull(c.data().splitFile());
    assertNull(c.data().splitCenter());
  }

  @Test
  void absoluteDataPathIsKept() throws Exception {
    Path elsewhere = Files.createDirectory(dir.resolve("elsewhere")).resolve("r.csv");
    Files.writeString(elsewhere, "1");
    SiteConfig c =
        SiteConfig.load(
            config(
                "coordinator: localhost:7443\n"
                    + TLS
                    + "data:\n  connector: csv\n  path: "
                    + elsewhere
                    + "\n  mapping: mapping.yaml\n"
                    + POLICY
                    + "state-dir: state\n"));
    assertEquals(elsewhere, c.data().path());
  }

  @Test
  void missingTlsFileIsNamedWithItsAbsolutePath() throws IOException {
    Files.delete(dir.resolve("site.crt.pem"));
    assertEquals(
        "site.yaml: tls.certificate points at "
            + dir.resolve("site.crt.pem")
            + ", which does not exist",
        failure(valid("")));
  }

  @Test
  void directoryInsteadOfFileIsReported() throws IOException {
    Path key = dir.resolve("site.key.pem");
    Files.delete(key);
    Files.createDirectory(key);
    assertEquals(
        "site.yaml: tls.private-key points at " + key + ", which is not a regular file",
        failure(valid("")));
  }

  @Test
  void unknownKeyIsNamed() throws IOException {
    Path file =
        config(
            "coordinator: localhost:7443\n"
                + TLS.replace("tls:\n", "tls:\n  cipher: aes\n")
                + data("")
                + POLICY
                + "state-dir: state\n");
    assertEquals(
        "site.yaml: unknown key 'tls.cipher' (known keys in 'tls': ca-certificate, "
            + "certificate, private-key)",
        failure(file));
  }

  @Test
  void unknownTopLevelKeyIsNamed() throws IOException {
    Path file =
        config(
            "coordinator: localhost:7443\nretries: 3\n"
                + TLS
                + data("")
                + POLICY
                + "state-dir: state\n");
    assertTrue(failure(file).startsWith("site.yaml: unknown key 'retries'"));
  }

  @Test
  void coordinatorNeedsHostAndValidPort() throws IOException {
    for (String bad :
        new String[] {
          "localhost", "localhost:0", "localhost:65536", ":7443", "host:port", "a b:1"
        }) {
      Path file =
          config("coordinator: \"" + bad + "\"\n" + TLS + data("") + POLICY + "state-dir: state\n");
      assertEquals(
          "site.yaml: coordinator must be host:port with a port from 1 to 65535, got '" + bad + "'",
          failure(file),
          bad);
    }
  }

  @Test
  void bracketedIpv6CoordinatorIsAccepted() throws Exception {
    Path file =
        config("coordinator: \"[::1]:7443\"\n" + TLS + data("") + POLICY + "state-dir: state\n");
    assertEquals("[::1]:7443", SiteConfig.load(file).coordinatorAddress());
  }

  @Test
  void onlyTheCsvConnectorExists() throws IOException {
    Path file =
        config(
            "coordinator: localhost:7443\n"
                + TLS
                + data("").replace("connector: csv", "connector: jdbc")
                + POLICY
                + "state-dir: state\n");
    assertEquals(
        "site.yaml: data.connector must be 'csv', the only connector, not 'jdbc'", failure(file));
  }

  @Test
  void missingMappingIsReported() throws IOException {
    Files.delete(dir.resolve("mapping.yaml"));
    assertEquals(
        "site.yaml: data.mapping points at "
            + dir.resolve("mapping.yaml")
            + ", which does not exist",
        failure(valid("")));
  }

  @Test
  void splitFileWithoutCentreIsRejected() throws IOException {
    assertEquals(
        "site.yaml: data.split-file is set, so data.split-center must name this site's "
            + "centre in it",
        failure(valid("  split-file: split.csv\n")));
  }

  @Test
  void splitCentreWithoutFileIsRejected() throws IOException {
    assertEquals(
        "site.yaml: data.split-center is set, but data.split-file is not",
        failure(valid("  split-center: va\n")));
  }

  @Test
  void missingSectionIsNamed() throws IOException {
    Path file = config("coordinator: localhost:7443\n" + data("") + POLICY + "state-dir: s\n");
    assertEquals("site.yaml: missing key 'tls'", failure(file));
  }

  @Test
  void emptyAllowedColumnsAreRejected() throws IOException {
    Path file =
        config(
            "coordinator: localhost:7443\n"
                + TLS
                + data("")
                + POLICY.replace("[age, sex, cp, num]", "[]")
                + "state-dir: state\n");
    assertEquals("site.yaml: 'policy.allowed-columns' must be a non-empty list", failure(file));
  }

  @Test
  void invalidYamlIsReportedWithPosition() throws IOException {
    Path file = config("coordinator: [unclosed\n");
    assertTrue(failure(file).startsWith("site.yaml is not valid YAML at line"));
  }

  @Test
  void absentConfigFileIsReported() {
    Path file = dir.resolve("absent.yaml");
    assertEquals("configuration file " + file + " does not exist", failure(file));
  }
}
