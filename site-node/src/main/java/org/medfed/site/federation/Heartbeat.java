package org.medfed.site.federation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The time of the site's last answered poll, in {@code state-dir/heartbeat}, so a container health
 * check can tell a working node from a hung one without any network port on the site.
 */
public final class Heartbeat implements Runnable {
  private final Path file;
  private final Clock clock;

  public Heartbeat(Path stateDir, Clock clock) {
    this.file = stateDir.resolve("heartbeat");
    this.clock = clock;
  }

  @Override
  public void run() {
    try {
      Path temp = file.resolveSibling("heartbeat.tmp");
      Files.writeString(temp, clock.instant().toString());
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the heartbeat " + file, e);
    }
  }

  /** Empty when the node is healthy, else one sentence saying why not. */
  public Optional<String> problem(Duration maxAge) {
    if (!Files.exists(file)) {
      return Optional.of("no heartbeat at " + file + ": the node has not reached the coordinator");
    }
    try {
      Instant last = Instant.parse(Files.readString(file).strip());
      Duration age = Duration.between(last, clock.instant());
      return age.compareTo(maxAge) <= 0
          ? Optional.empty()
          : Optional.of(
              "last contact with the coordinator was "
                  + age.toSeconds()
                  + " s ago (limit "
                  + maxAge.toSeconds()
                  + " s)");
    } catch (IOException | java.time.format.DateTimeParseException e) {
      return Optional.of("heartbeat " + file + " is unreadable: " + e.getMessage());
    }
  }
}
