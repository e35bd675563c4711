package org.medfed.coordinator.exchangelog;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.medfed.proto.v1.CoordinatorDecision;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.LogEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's exchange log: every protocol message (accepted or refused) and every
 * coordinator decision, as deterministic protobuf {@link LogEntry} records in a {@link DurableLog}.
 * A call returns only once its entry is on disk, so the caller may then acknowledge the message it
 * records.
 */
public final class ExchangeLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExchangeLog.class);

  private final DurableLog file;
  private final Clock clock;

  private ExchangeLog(DurableLog file, Clock clock) {
    this.file = file;
    this.clock = clock;
  }

  public static ExchangeLog open(Path path, Clock clock) throws IOException {
    Files.createDirectories(path.toAbsolutePath().getParent());
    DurableLog file = DurableLog.open(path);
    if (file.cutBytes() > 0) {
      log.atWarn()
          .setMessage("exchange log had a torn tail from a crash; cut it")
          .addKeyValue("file", path)
          .addKeyValue("cutBytes", file.cutBytes())
          .addKeyValue("entries", file.size())
          .log();
    }
    return new ExchangeLog(file, clock);
  }

  /** Records a message and returns its index once it is durable. */
  public long recordMessage(String studyId, int round, ExchangedMessage message) {
    return append(
        LogEntry.newBuilder()
            .setTimeUnixMillis(clock.millis())
            .setStudyId(studyId)
            .setRound(round)
            .setMessage(message)
            .build());
  }

  /** Records a coordinator decision and returns its index once it is durable. */
  public long recordDecision(String studyId, int round, CoordinatorDecision decision) {
    return append(
        LogEntry.newBuilder()
            .setTimeUnixMillis(clock.millis())
            .setStudyId(studyId)
            .setRound(round)
            .setDecision(decision)
            .build());
  }

  public long size() {
    return file.size();
  }

  /** The entries [from, to), exactly as stored (the bytes that are hashed into the log). */
  public List<byte[]> rawEntries(long from, long to) throws IOException {
    return file.read(from, to);
  }

  public List<LogEntry> entries(long from, long to) throws IOException {
    List<LogEntry> entries = new ArrayList<>();
    for (byte[] raw : file.read(from, to)) {
      try {
        entries.add(LogEntry.parseFrom(raw));
      } catch (InvalidProtocolBufferException e) {
        throw new IOException("exchange log entry is not a LogEntry: " + e.getMessage(), e);
      }
    }
    return entries;
  }

  /** SHA-256 of a message's bytes, as recorded in {@link ExchangedMessage#getPayloadSha256()}. */
  public static ByteString sha256(byte[] bytes) {
    try {
      return ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  private long append(LogEntry entry) {
    try {
      return file.append(deterministic(entry));
    } catch (IOException e) {
      // Nothing may be acknowledged that is not in the log: the caller's message fails instead.
      throw new UncheckedIOException("cannot append to the exchange log " + file.file(), e);
    }
  }

  /** Deterministic serialisation, so the same entry always hashes to the same leaf. */
  static byte[] deterministic(LogEntry entry) {
    byte[] bytes = new byte[entry.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    try {
      entry.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("serialising into a sized array cannot fail", e);
    }
    return bytes;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
