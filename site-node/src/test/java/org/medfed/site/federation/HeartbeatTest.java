package org.medfed.site.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeartbeatTest {
  @TempDir Path state;
  private final Instant now = Instant.parse("2026-11-22T03:00:00Z");

  @Test
  void recentContactIsHealthy() {
    new Heartbeat(state, Clock.fixed(now, ZoneOffset.UTC)).run();
    Heartbeat later = new Heartbeat(state, Clock.fixed(now.plusSeconds(30), ZoneOffset.UTC));
    assertEquals(Optional.empty(), later.problem(Duration.ofSeconds(90)));
  }

  @Test
  void staleContactIsUnhealthyAndSaysHowStale() {
    new Heartbeat(state, Clock.fixed(now, ZoneOffset.UTC)).run();
    Heartbeat later = new Heartbeat(state, Clock.fixed(now.plusSeconds(300), ZoneOffset.UTC));
    String problem = later.problem(Duration.ofSeconds(90)).orElseThrow();
    assertTrue(problem.contains("300 s ago"), problem);
  }

  @Test
  void nodeThatNeverReachedTheCoordinatorIsUnhealthy() {
    String problem =
        new Heartbeat(state, Clock.fixed(now, ZoneOffset.UTC))
            .problem(Duration.ofSeconds(90))
            .orElseThrow();
    assertTrue(problem.contains("has not reached the coordinator"), problem);
  }
}
