package org.medfed.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as the README runs it: real coordinator and site processes from the packaged jars, a
 * fresh PKI, the real data. Three rounds keep it short.
 */
@Timeout(240)
class DemoIT {
  @TempDir Path dir;

  @Test
  void demoRunsFourHospitalProcessesAndReportsEverySite() throws Exception {
    Path report = dir.resolve("report.json");
    DemoOptions options =
        new DemoOptions(
            Path.of(System.getProperty("medfed.repo.root")),
            Optional.of(report),
            "fedadam",
            3,
            42,
            Optional.of(dir.resolve("work")),
            java.util.OptionalDouble.empty(),
            true);
    assertTrue(new DemoMain().run(options), "the demo's study did not complete");

    JsonNode json = new ObjectMapper().readTree(report.toFile());
    JsonNode secure = json.get("secure_aggregation");
    assertTrue(secure.get("enabled").asBoolean(), secure.toString());
    assertEquals(3, secure.get("threshold").asInt());
    assertEquals("secagg", secure.get("protocol").asText());
    assertEquals(3, json.get("rounds_completed").asInt());
    assertEquals("fedadam", json.get("strategy").asText());
    assertTrue(json.get("wall_seconds").asDouble() > 0);
    assertEquals(4, json.get("sites").size());
    for (JsonNode site : json.get("sites")) {
      assertTrue(site.get("train_records").asInt() > 0, site.toString());
      assertTrue(site.get("test_records").asInt() > 0, site.toString());
      for (String model : new String[] {"federated", "local_only", "pooled_reference"}) {
        double accuracy = site.get(model).get("accuracy").asDouble();
        assertTrue(accuracy > 0 && accuracy <= 1, model + " " + site);
      }
      assertTrue(site.get("bytes_sent").asLong() > 0, site.toString());
      assertTrue(site.get("bytes_received").asLong() > 0, site.toString());
    }
    // The pooled reference reproduces FLamby's published pooled accuracies on this split.
    assertEquals(
        0.7981, json.get("sites").get(0).get("pooled_reference").get("accuracy").asDouble(), 1e-4);
    assertTrue(json.get("client_average").get("federated").isNumber());
    // The auditor, run as its own process on the log alone, verified it.
    assertTrue(json.get("audit").get("verified").asBoolean(), json.get("audit").toString());
    assertTrue(json.get("audit").get("checkpoints").asInt() >= 4);
    assertTrue(json.get("audit").get("entries").asInt() > 50);
    // Each site was given only its own hospital's file.
    for (DemoSite site : DemoSite.ALL) {
      try (var files =
          Files.list(dir.resolve("work/pki/sites").resolve(site.id()).resolve("records"))) {
        assertEquals(
            java.util.List.of(site.dataFile()),
            files.map(p -> p.getFileName().toString()).toList());
      }
    }
    assertEquals(
        0,
        ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count(),
        "the demo left processes running");
  }

  @Test
  void secureAggregationCostsNoAccuracy() throws Exception {
    double[] accuracy = new double[2];
    for (int i = 0; i < 2; i++) {
      boolean secure = i == 0;
      Path report = dir.resolve("compare-" + secure + ".json");
      DemoOptions options =
          new DemoOptions(
              Path.of(System.getProperty("medfed.repo.root")),
              Optional.of(report),
              "fedadam",
              5,
              42,
              Optional.of(dir.resolve("compare-" + secure)),
              java.util.OptionalDouble.empty(),
              secure);
      assertTrue(new DemoMain().run(options), "secure=" + secure);
      JsonNode json = new ObjectMapper().readTree(report.toFile());
      assertEquals(secure, json.get("secure_aggregation").get("enabled").asBoolean());
      accuracy[i] = json.get("client_average").get("federated").asDouble();
    }
    assertEquals(accuracy[1], accuracy[0], 0.005, "secure vs plaintext client average");
  }

  @Test
  void privateDemoKeepsEverySiteWithinItsCapAndReportsWhatEachSpent() throws Exception {
    Path report = dir.resolve("private-report.json");
    DemoOptions options =
        new DemoOptions(
            Path.of(System.getProperty("medfed.repo.root")),
            Optional.of(report),
            "fedadam",
            2,
            42,
            Optional.of(dir.resolve("private-work")),
            java.util.OptionalDouble.of(2.0),
            true);
    assertTrue(new DemoMain().run(options), "the private demo's study did not complete");

    JsonNode json = new ObjectMapper().readTree(report.toFile());
    assertTrue(json.get("differential_privacy").get("enabled").asBoolean());
    assertTrue(json.get("differential_privacy").get("noise_multiplier").asDouble() > 0);
    for (JsonNode site : json.get("sites")) {
      JsonNode privacy = site.get("privacy");
      assertEquals(2.0, privacy.get("epsilon_cap").asDouble(), site.toString());
      assertEquals(2, privacy.get("rounds_charged").asInt(), site.toString());
      double spent = privacy.get("epsilon_spent").asDouble();
      assertTrue(spent > 1.5 && spent <= 2.0, "spent " + spent + " at " + site.get("id"));
    }
    assertTrue(json.get("audit").get("verified").asBoolean());
  }
}
