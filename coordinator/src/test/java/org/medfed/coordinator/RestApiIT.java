package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Micronaut application with its REST API, while four real sites train over gRPC. */
@Timeout(120)
class RestApiIT {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void apiListsTheStudyItsRoundsAndPerRoundMetrics() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    Map<String, Object> properties =
        Map.of(
            "micronaut.server.port", -1,
            "medfed.study-file", network.study(3, 4, "20s", "stop").toString(),
            "medfed.data-dir", dir.resolve("data").toString(),
            "medfed.tls.certificate", dir.resolve("coordinator.crt.pem").toString(),
            "medfed.tls.private-key", dir.resolve("coordinator.key.pem").toString(),
            "medfed.tls.ca-certificate", dir.resolve("ca.crt.pem").toString(),
            "medfed.grpc.host", "127.0.0.1",
            "medfed.grpc.port", 0);
    try (EmbeddedServer server =
        io.micronaut.context.ApplicationContext.run(EmbeddedServer.class, properties)) {
      CoordinatorNode node = server.getApplicationContext().getBean(CoordinatorNode.class);
      JsonNode before = get(server, "/api/studies");
      assertEquals("heart-disease", before.get(0).get("id").asText());
      assertEquals("enrolling", before.get(0).get("status").asText());

      List<TestNetwork.RunningSite> sites = new ArrayList<>();
      for (String site : TestNetwork.SITES) {
        sites.add(network.site(site, node.grpcPort()));
      }
      assertTrue(node.engine().awaitEnd(Duration.ofSeconds(60)));

      JsonNode detail = get(server, "/api/studies/heart-disease");
      assertEquals("completed", detail.get("summary").get("status").asText());
      assertEquals(3, detail.get("summary").get("roundsCompleted").asInt());
      assertEquals(4, detail.get("sites").size());
      JsonNode rounds = get(server, "/api/studies/heart-disease/rounds");
      assertEquals(3, rounds.size());
      JsonNode last = rounds.get(2);
      assertEquals("completed", last.get("status").asText());
      assertTrue(last.get("clientAverageAccuracy").isNumber());
      for (JsonNode site : last.get("sites")) {
        assertEquals("updated", site.get("outcome").asText());
        assertTrue(site.get("evaluation").get("accuracy").isNumber());
        assertTrue(site.get("evaluation").get("testRecords").asInt() > 0);
      }
      HttpResponse<String> unknown = send(server, "/api/studies/nope");
      assertEquals(404, unknown.statusCode());
      assertTrue(unknown.body().contains("no study with id 'nope'"), unknown.body());
      for (TestNetwork.RunningSite site : sites) {
        site.close();
      }
    }
  }

  private JsonNode get(EmbeddedServer server, String path) throws Exception {
    HttpResponse<String> response = send(server, path);
    assertEquals(200, response.statusCode(), response.body());
    return json.readTree(response.body());
  }

  private HttpResponse<String> send(EmbeddedServer server, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.getURL() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
