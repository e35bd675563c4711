package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.proto.v1.JoinRequest;
import org.medfed.proto.v1.LogEntry;

/**
 * kill -9 of a real coordinator process while four sites keep sending: every message the
 * coordinator acknowledged is in its exchange log when the log is opened again.
 */
@Timeout(120)
class ExchangeLogKillIT {
  @TempDir Path dir;

  @Test
  void killNineLosesNoAcknowledgedEntry() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    Path study = network.study(1, 4, "60s", "stop");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path jar =
        Path.of(
            System.getProperty("medfed.repo.root"), "coordinator/target/medfed-coordinator.jar");
    Process coordinator =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                jar.toString(),
                "serve",
                "--medfed.study-file=" + study,
                "--medfed.data-dir=" + dir.resolve("data"),
                "--medfed.tls.certificate=" + dir.resolve("coordinator.crt.pem"),
                "--medfed.tls.private-key=" + dir.resolve("coordinator.key.pem"),
                "--medfed.tls.ca-certificate=" + dir.resolve("ca.crt.pem"),
                "--medfed.grpc.host=127.0.0.1",
                "--medfed.grpc.port=" + port,
                "--micronaut.server.port=-1")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("coordinator.log").toFile())
            .start();
    Map<String, AtomicLong> acknowledged = new ConcurrentHashMap<>();
    List<Thread> senders = new ArrayList<>();
    List<RawSite> sites = new ArrayList<>();
    try {
      for (String site : TestNetwork.SITES) {
        RawSite raw = new RawSite(network.channel(site, port));
        sites.add(raw);
        AtomicLong count = acknowledged.computeIfAbsent(site, s -> new AtomicLong());
        senders.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      // Until the coordinator is up, calls fail; after the kill they fail again.
                      boolean up = false;
                      for (int attempt = 0; attempt < 100_000; attempt++) {
                        try {
                          raw.stub
                              .withWaitForReady()
                              .withDeadlineAfter(2, TimeUnit.SECONDS)
                              .join(
                                  JoinRequest.newBuilder().setSoftwareVersion("kill-test").build());
                          count.incrementAndGet();
                          up = true;
                        } catch (RuntimeException e) {
                          if (up) {
                            return;
                          }
                        }
                      }
                    }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (acknowledged.values().stream().mapToLong(AtomicLong::get).sum() < 400
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      coordinator.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      for (Thread sender : senders) {
        sender.join(10_000);
      }
    } finally {
      coordinator.destroyForcibly();
      for (RawSite site : sites) {
        site.close();
      }
    }

    try (ExchangeLog log =
        ExchangeLog.openForReading(dir.resolve("data/exchange-log"), Clock.systemUTC())) {
      List<LogEntry> entries = log.entries(0, log.size());
      for (Map.Entry<String, AtomicLong> site : acknowledged.entrySet()) {
        long logged =
            entries.stream()
                .filter(e -> e.hasMessage() && e.getMessage().getRpc().equals("Join"))
                .filter(e -> e.getMessage().getSender().equals(site.getKey()))
                .filter(e -> e.getMessage().getOutcome().equals("accepted"))
                .count();
        assertTrue(site.getValue().get() > 0, "no join of " + site.getKey() + " went through");
        assertTrue(
            logged >= site.getValue().get(),
            site.getKey() + ": " + site.getValue().get() + " acknowledged, " + logged + " logged");
      }
    }
  }
}
