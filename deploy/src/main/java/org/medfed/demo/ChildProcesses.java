package org.medfed.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every process the demo starts. Closing (also from the JVM's shutdown hook on Ctrl-C) stops them
 * all, politely first, so nothing the demo started outlives it.
 */
final class ChildProcesses implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final String java = ProcessHandle.current().info().command().orElse("java");

  ChildProcesses() {
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "demo-stop-children"));
  }

  /** Starts {@code java -jar jar args...}, sending its output to the log file. */
  synchronized Process startJava(Path jar, List<String> args, Path log) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar.toString()));
    command.addAll(args);
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(process);
    return process;
  }

  /** Asks a process to stop (SIGTERM) and waits; kills it if it does not stop in time. */
  static void stop(Process process, long seconds) {
    process.destroy();
    try {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void close() {
    for (Process process : processes) {
      if (process.isAlive()) {
        stop(process, 10);
      }
    }
  }
}
