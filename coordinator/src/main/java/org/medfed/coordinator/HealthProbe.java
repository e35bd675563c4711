package org.medfed.coordinator;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The container health check: exit 0 when the coordinator's {@code /health} answers 200. Base
 * images without curl can still probe, and nothing else is loaded (no Micronaut start-up).
 */
public final class HealthProbe {
  private HealthProbe() {}

  public static void main(String[] args) {
    String url = args.length > 0 ? args[0] : "http://127.0.0.1:8080/health";
    try {
      HttpResponse<Void> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(4)).build(),
                  HttpResponse.BodyHandlers.discarding());
      System.exit(response.statusCode() == 200 ? 0 : 1);
    } catch (Exception e) {
      System.err.println("medfed-coordinator: unhealthy: " + e.getMessage());
      System.exit(1);
    }
  }
}
