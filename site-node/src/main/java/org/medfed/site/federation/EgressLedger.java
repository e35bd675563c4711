package org.medfed.site.federation;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hospital's own record of everything that left the building: one JSON line per outbound
 * message (time, RPC, message type, bytes), never its content. A summary with totals is kept beside
 * it so operators (and the demo) can read the volume without parsing the log.
 */
public final class EgressLedger implements AutoCloseable {
  private final Path summaryFile;
  private final BufferedWriter log;
  private final Map<String, Long> sentByType = new TreeMap<>();
  private long bytesSent;
  private long bytesReceived;
  private long refused;

  public EgressLedger(Path stateDir) {
    try {
      Files.createDirectories(stateDir);
      this.summaryFile = stateDir.resolve("egress-summary.json");
      this.log =
          Files.newBufferedWriter(
              stateDir.resolve("egress.jsonl"),
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the egress ledger in " + stateDir, e);
    }
  }

  synchronized void sent(String method, String messageType, long bytes) {
    bytesSent += bytes;
    sentByType.merge(messageType, bytes, Long::sum);
    append(method, messageType, bytes, "sent");
  }

  synchronized void received(long bytes) {
    bytesReceived += bytes;
  }

  synchronized void refused(String method, String messageType) {
    refused++;
    append(method, messageType, 0, "refused");
  }

  public synchronized long bytesSent() {
    return bytesSent;
  }

  public synchronized long bytesReceived() {
    return bytesReceived;
  }

  /** Writes the totals; called at the end of a study and on close. */
  public synchronized void writeSummary() {
    StringBuilder json = new StringBuilder();
    json.append("{\n  \"bytes_sent\": ").append(bytesSent);
    json.append(",\n  \"bytes_received\": ").append(bytesReceived);
    json.append(",\n  \"refused_messages\": ").append(refused);
    json.append(",\n  \"bytes_sent_by_type\": {");
    String separator = "";
    for (Map.Entry<String, Long> entry : sentByType.entrySet()) {
      json.append(separator)
          .append("\n    \"")
          .append(entry.getKey())
          .append("\": ")
          .append(entry.getValue());
      separator = ",";
    }
    json.append("\n  }\n}\n");
    try {
      Path temp = summaryFile.resolveSibling(summaryFile.getFileName() + ".tmp");
      Files.writeString(temp, json);
      Files.move(
          temp, summaryFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + summaryFile, e);
    }
  }

  private void append(String method, String messageType, long bytes, String action) {
    try {
      log.write(
          "{\"time\":\""
              + Instant.now()
              + "\",\"action\":\""
              + action
              + "\",\"method\":\""
              + method
              + "\",\"type\":\""
              + messageType
              + "\",\"bytes\":"
              + bytes
              + "}\n");
      log.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the egress ledger", e);
    }
  }

  @Override
  public synchronized void close() {
    writeSummary();
    try {
      log.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the egress ledger", e);
    }
  }
}
