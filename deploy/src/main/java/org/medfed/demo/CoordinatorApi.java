package org.medfed.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** The coordinator's REST API, as the consortium's dashboard (here: the demo) reads it. */
final class CoordinatorApi {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final URI base;

  CoordinatorApi(int port) {
    this.base = URI.create("http://127.0.0.1:" + port + "/api/studies");
  }

  /** The study's detail, or empty while the API is not up yet. */
  Optional<JsonNode> study(String id) throws InterruptedException {
    return get("/" + id);
  }

  Optional<JsonNode> rounds(String id) throws InterruptedException {
    return get("/" + id + "/rounds");
  }

  private Optional<JsonNode> get(String path) throws InterruptedException {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(base + path))
                  .timeout(Duration.ofSeconds(5))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return Optional.empty();
      }
      return Optional.of(json.readTree(response.body()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
