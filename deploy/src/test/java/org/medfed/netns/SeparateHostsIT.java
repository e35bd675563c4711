package org.medfed.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Separate hosts on one machine: {@code deploy/netns/separate-hosts.sh} puts the coordinator and
 * four sites in their own network namespaces behind a router namespace, runs a study, and checks
 * from a packet capture on the router that every byte between hosts is TLS 1.3 and that each site
 * only talked to the coordinator; then again with 200 ms delay and 5 % loss on the sites' links.
 *
 * <p>Needs root and working {@code ip netns}; without them it is skipped, saying why. The work
 * directory (logs, pcaps for Wireshark, the analysis) stays in {@code deploy/target/netns-it}.
 */
@Timeout(420)
class SeparateHostsIT {
  /** The script's own limit; this test waits a little longer so the script can clean up first. */
  private static final int SCRIPT_TIMEOUT_SECONDS = 300;

  private static final int ROUNDS = 3;
  private static final List<String> SITES =
      List.of("cleveland", "hungary", "switzerland", "long-beach");

  @Test
  void everyByteBetweenHostsIsTls13AndSitesTalkOnlyToTheCoordinatorAlsoOverABadNetwork()
      throws Exception {
    Path repository = Path.of(System.getProperty("medfed.repo.root"));
    String id = "it" + ProcessHandle.current().pid();
    String missing = missingRights(id);
    if (missing != null) {
      String reason = "SeparateHostsIT skipped: " + missing;
      System.err.println(reason);
      Assumptions.abort(reason);
    }

    Path work = repository.resolve("deploy/target/netns-it");
    deleteRecursively(work);
    Files.createDirectories(work);
    Path summaryFile = work.resolve("summary.json");
    Path log = work.resolve("separate-hosts.log");
    Process script =
        new ProcessBuilder(
                "bash",
                repository.resolve("deploy/netns/separate-hosts.sh").toString(),
                "--workdir",
                work.toString(),
                "--summary",
                summaryFile.toString(),
                "--rounds",
                Integer.toString(ROUNDS),
                "--id",
                id,
                "--timeout",
                Integer.toString(SCRIPT_TIMEOUT_SECONDS))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    int exit;
    try {
      exit = finish(script, id);
    } finally {
      List<String> leftovers = removeLeftoverNamespaces(id);
      System.out.println(Files.readString(log));
      assertEquals(List.of(), leftovers, "the script left network namespaces behind");
    }
    String output = Files.readString(log);
    assertEquals(0, exit, "separate-hosts.sh failed; its output:\n" + output);

    JsonNode summary = new ObjectMapper().readTree(summaryFile.toFile());
    assertTrue(summary.get("ok").asBoolean(), summary.toPrettyString());
    JsonNode runs = summary.get("runs");
    assertEquals(2, runs.size());
    assertEquals("clean", runs.get(0).get("name").asText());
    assertEquals("impaired", runs.get(1).get("name").asText());
    for (JsonNode run : runs) {
      assertRunHeld(run);
    }

    JsonNode impairment = runs.get(1).get("impairment");
    assertEquals(200, impairment.get("delay_ms").asInt(), impairment.toString());
    assertEquals(5, impairment.get("loss_percent").asInt(), impairment.toString());
    if (impairment.get("mechanism").asText().equals("tun")) {
      // The userspace stand-in for netem must really have dropped and delayed traffic.
      assertTrue(impairment.get("dropped").asLong() > 0, impairment.toString());
      assertTrue(impairment.get("forwarded").asLong() > 0, impairment.toString());
    } else {
      assertEquals("netem", impairment.get("mechanism").asText(), impairment.toString());
    }
  }

  private static void assertRunHeld(JsonNode run) {
    String name = run.get("name").asText();
    assertTrue(run.get("ok").asBoolean(), name + ": " + run.get("failures"));
    JsonNode study = run.get("study");
    assertEquals("completed", study.get("status").asText(), name + ": " + study);
    assertEquals(ROUNDS, study.get("rounds_completed").asInt(), name + ": " + study);

    JsonNode capture = run.get("capture");
    assertEquals(List.of(), texts(capture.get("violations")), name);
    assertEquals(List.of("TLS 1.3"), texts(capture.get("tls_versions_seen")), name);
    assertEquals(List.of("TLS 1.3"), texts(capture.get("client_offered_versions")), name);
    assertEquals(0, capture.get("non_tls_bytes").asLong(), name);
    assertEquals(0, capture.get("non_tcp_packets_between_hosts").asLong(), name);
    assertEquals(0, capture.get("other_non_tcp_ip_packets").asLong(), name);
    long payload = capture.get("tcp_payload_bytes_between_hosts").asLong();
    assertTrue(payload > 10_000, name + ": only " + payload + " bytes crossed the router");
    assertEquals(payload, capture.get("tls_bytes").asLong(), name);
    for (JsonNode link : capture.get("capture")) {
      assertEquals(0, link.get("kernel_drops").asLong(), name + ": the capture lost packets");
    }

    for (String site : SITES) {
      JsonNode peers = capture.get("site_peers").get(site);
      assertEquals(
          Set.of("coordinator"), fieldNames(peers), name + ": " + site + " talked to " + peers);
    }
    Set<String> pairs = new TreeSet<>();
    for (JsonNode pair : capture.get("pairs")) {
      String a = pair.get("a").asText();
      String b = pair.get("b").asText();
      pairs.add(a.equals("coordinator") ? b : a);
      assertTrue(a.equals("coordinator") || b.equals("coordinator"), name + ": " + pair);
      assertTrue(pair.get("tcp_payload_bytes_a_to_b").asLong() > 0, name + ": " + pair);
      assertTrue(pair.get("tcp_payload_bytes_b_to_a").asLong() > 0, name + ": " + pair);
    }
    assertEquals(new TreeSet<>(SITES), pairs, name);
  }

  /**
   * Waits for the script; past its limit, stops it with SIGTERM so that its trap removes what it
   * created, and kills the whole process tree if even that hangs.
   */
  private static int finish(Process script, String id) throws InterruptedException {
    if (script.waitFor(SCRIPT_TIMEOUT_SECONDS + 20, TimeUnit.SECONDS)) {
      return script.exitValue();
    }
    script.destroy();
    if (!script.waitFor(30, TimeUnit.SECONDS)) {
      script.descendants().forEach(ProcessHandle::destroyForcibly);
      script.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    fail(
        "separate-hosts.sh (run id "
            + id
            + ") did not finish within "
            + (SCRIPT_TIMEOUT_SECONDS + 20)
            + " s and was stopped");
    return -1;
  }

  /** Why this machine cannot run the test (not root, no network namespaces), or null. */
  private static String missingRights(String id) throws InterruptedException {
    try {
      Command uid = Command.run("id", "-u");
      if (uid.exit() != 0 || !uid.output().strip().equals("0")) {
        return "creating network namespaces needs root, and this build runs as uid "
            + uid.output().strip();
      }
      String probe = "mf" + id + "-probe";
      Command add = Command.run("ip", "netns", "add", probe);
      if (add.exit() != 0) {
        return "`ip netns add` does not work here (" + add.output().strip() + ")";
      }
      Command.run("ip", "netns", "del", probe);
    } catch (IOException e) {
      return "a tool it needs is missing: " + e.getMessage();
    }
    return CaptureAnalysisTest.pythonMissing();
  }

  /** Removes namespaces of this run that survived (only if the script itself was killed). */
  private static List<String> removeLeftoverNamespaces(String id)
      throws IOException, InterruptedException {
    List<String> leftovers = new ArrayList<>();
    for (String line : Command.run("ip", "netns", "list").output().split("\n")) {
      String name = line.strip().split(" ")[0];
      if (!name.startsWith("mf" + id + "-")) {
        continue;
      }
      leftovers.add(name);
      for (String pid : Command.run("ip", "netns", "pids", name).output().split("\\s+")) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
      Command.run("ip", "netns", "del", name);
    }
    return leftovers;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(node -> texts.add(node.asText()));
    return texts;
  }

  private static Set<String> fieldNames(JsonNode object) {
    Set<String> names = new TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** A short command's exit code and combined output. */
  private record Command(int exit, String output) {
    static Command run(String... command) throws IOException, InterruptedException {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Command(-1, command[0] + " did not finish in 30 s");
      }
      return new Command(process.exitValue(), output);
    }
  }
}
