package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged coordinator as an operator runs it: a bad study file or a missing certificate stops
 * it with one sentence and a non-zero exit, before its endpoint opens.
 */
@Timeout(120)
class CommandLineIT {
  @TempDir Path dir;

  @Test
  void unknownStrategyStopsStartupWithOneSentence() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    Path study = network.study(1, 1, "5s", "stop");
    Files.writeString(study, Files.readString(study).replace("name: fedadam", "name: fedfoo"));
    Result result = serve(study, dir.resolve("coordinator.crt.pem"));
    assertEquals(1, result.exit);
    assertTrue(result.stderr.contains("strategy.name 'fedfoo' is not one of"), result.stderr);
    assertEquals(1, result.stderr.strip().lines().count(), result.stderr);
  }

  @Test
  void negativeLearningRateStopsStartupWithOneSentence() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    Path study = network.study(1, 1, "5s", "stop");
    Files.writeString(
        study, Files.readString(study).replace("learning-rate: 0.01,", "learning-rate: -0.1,"));
    Result result = serve(study, dir.resolve("coordinator.crt.pem"));
    assertEquals(1, result.exit);
    assertTrue(result.stderr.contains("local-training.learning-rate"), result.stderr);
    assertTrue(result.stderr.contains("-0.1"), result.stderr);
    assertEquals(1, result.stderr.strip().lines().count(), result.stderr);
  }

  @Test
  void missingCertificateStopsStartupWithOneSentence() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    Result result = serve(network.study(1, 1, "5s", "stop"), dir.resolve("nowhere.crt.pem"));
    assertEquals(1, result.exit);
    assertTrue(result.stderr.contains("nowhere.crt.pem does not exist"), result.stderr);
    assertEquals(1, result.stderr.strip().lines().count(), result.stderr);
  }

  private record Result(int exit, String stderr) {}

  private Result serve(Path study, Path certificate) throws Exception {
    Path jar =
        Path.of(
            System.getProperty("medfed.repo.root"), "coordinator/target/medfed-coordinator.jar");
    List<String> command =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                jar.toString(),
                "serve",
                "--medfed.study-file=" + study,
                "--medfed.data-dir=" + dir.resolve("data"),
                "--medfed.tls.certificate=" + certificate,
                "--medfed.tls.private-key=" + dir.resolve("coordinator.key.pem"),
                "--medfed.tls.ca-certificate=" + dir.resolve("ca.crt.pem"),
                "--medfed.grpc.port=0",
                "--micronaut.server.port=-1"));
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .redirectError(dir.resolve("stderr.log").toFile())
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the coordinator did not stop on a bad configuration");
    }
    return new Result(process.exitValue(), Files.readString(dir.resolve("stderr.log")));
  }
}
