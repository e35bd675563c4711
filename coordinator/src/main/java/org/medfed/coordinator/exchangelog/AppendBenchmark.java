package org.medfed.coordinator.exchangelog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures durable appends per second to the exchange log with 1 to 64 concurrent appenders (every
 * append returns only after fsync). A benchmark, not a test: {@code deploy/local/benchmark-log.sh
 * [DIR]}.
 */
public final class AppendBenchmark {
  private AppendBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir =
        args.length > 0
            ? Files.createDirectories(Path.of(args[0]))
            : Files.createTempDirectory("medfed-log-bench");
    byte[] entry = new byte[300];
    Arrays.fill(entry, (byte) 7);
    System.out.println("| appenders | durable appends/s | p50 latency ms | p99 latency ms |");
    System.out.println("|---|---|---|---|");
    for (int threads : new int[] {1, 4, 16, 64}) {
      Path file = dir.resolve("bench-" + threads + ".log");
      Files.deleteIfExists(file);
      try (DurableLog log = DurableLog.open(file)) {
        long stopAt = System.nanoTime() + 3_000_000_000L;
        AtomicLong appends = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
          long[] mine = new long[200_000];
          latencies.add(mine);
          workers.add(
              Thread.ofPlatform()
                  .start(
                      () -> {
                        int n = 0;
                        try {
                          while (System.nanoTime() < stopAt && n < mine.length) {
                            long before = System.nanoTime();
                            log.append(entry);
                            mine[n++] = System.nanoTime() - before;
                          }
                        } catch (java.io.IOException e) {
                          throw new java.io.UncheckedIOException(e);
                        }
                        appends.addAndGet(n);
                      }));
        }
        for (Thread worker : workers) {
          worker.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] all =
            latencies.stream().flatMapToLong(Arrays::stream).filter(v -> v > 0).sorted().toArray();
        System.out.printf(
            "| %d | %.0f | %.2f | %.2f |%n",
            threads,
            appends.get() / seconds,
            all[all.length / 2] / 1e6,
            all[(int) (all.length * 0.99)] / 1e6);
      }
      Files.deleteIfExists(file);
    }
  }
}
