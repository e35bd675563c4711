package org.medfed.auditor;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.SignedTreeHead;

/**
 * Verifies an exchange log directory against the consortium CA and returns a report with one result
 * per check. Checks run in order, each on whatever the earlier ones could read, so a damaged log
 * still gets as complete a report as its intact part allows.
 *
 * <p>The checks: {@code file-integrity}, {@code coordinator-identity}, {@code tree-heads}, {@code
 * protocol}, {@code round-openings}, and the four the coordinator does not produce the data for
 * yet, reported as skipped: {@code sender-signatures}, {@code privacy-budget}, {@code receipts},
 * {@code aggregate-recomputation}.
 */
public final class LogAuditor {

  private LogAuditor() {}

  /**
   * Verifies {@code exchange.log} and {@code tree-heads.log} in {@code directory}.
   *
   * @throws IOException if either file cannot be read
   */
  public static AuditReport verify(Path directory, X509Certificate consortiumCa)
      throws IOException {
    Objects.requireNonNull(directory, "directory");
    byte[] log = Files.readAllBytes(directory.resolve(LogFiles.EXCHANGE_LOG));
    byte[] heads = Files.readAllBytes(directory.resolve(LogFiles.TREE_HEADS));
    return verify(directory.toString(), log, heads, consortiumCa);
  }

  /** Verifies the contents of the two files; {@code source} names them in the report. */
  public static AuditReport verify(
      String source, byte[] exchangeLog, byte[] treeHeads, X509Certificate consortiumCa) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(exchangeLog, "exchangeLog");
    Objects.requireNonNull(treeHeads, "treeHeads");
    Objects.requireNonNull(consortiumCa, "consortiumCa");
    LogFiles.Parsed logFile = LogFiles.parse(LogFiles.EXCHANGE_LOG, exchangeLog);
    LogFiles.Parsed headFile = LogFiles.parse(LogFiles.TREE_HEADS, treeHeads);

    List<Finding> integrity = new ArrayList<>();
    logFile.problem().ifPresent(integrity::add);
    headFile.problem().ifPresent(integrity::add);
    List<AuditedEntry> entries = new ArrayList<>();
    for (LogFiles.Record record : logFile.records()) {
      decode(record, LogEntry.parser(), "LogEntry", LogFiles.EXCHANGE_LOG, integrity)
          .ifPresent(entry -> entries.add(new AuditedEntry(record, entry)));
    }
    List<AuditedHead> heads = new ArrayList<>();
    for (LogFiles.Record record : headFile.records()) {
      decode(record, SignedTreeHead.parser(), "SignedTreeHead", LogFiles.TREE_HEADS, integrity)
          .ifPresent(head -> heads.add(new AuditedHead(record, head)));
    }
    List<CheckResult> checks = new ArrayList<>();
    checks.add(
        CheckResult.of(
            "file-integrity",
            LogFiles.EXCHANGE_LOG
                + ": "
                + logFile.records().size()
                + " records in "
                + logFile.length()
                + " bytes; "
                + LogFiles.TREE_HEADS
                + ": "
                + headFile.records().size()
                + " records in "
                + headFile.length()
                + " bytes (magic, lengths, CRC-32C, canonical protobuf)",
            integrity,
            List.of()));

    IdentityCheck.Result identity = IdentityCheck.run(entries, consortiumCa);
    checks.add(identity.result());
    List<byte[]> leaves = logFile.records().stream().map(LogFiles.Record::payload).toList();
    checks.add(TreeHeadCheck.run(heads, leaves, identity));
    ProtocolCheck protocol = new ProtocolCheck(entries, identity);
    checks.add(protocol.run());
    checks.add(protocol.roundOpenings());
    checks.addAll(NotYetVerifiable.checks(entries));
    return new AuditReport(source, logFile.records().size(), headFile.records().size(), checks);
  }

  /** An entry that decoded, with its record (index, byte offset and the exact bytes hashed). */
  record AuditedEntry(LogFiles.Record record, LogEntry entry) {
    long index() {
      return record.index();
    }

    Finding finding(String message) {
      return Finding.atEntry(message, record.index(), record.offset());
    }
  }

  /** A tree-head record that decoded. */
  record AuditedHead(LogFiles.Record record, SignedTreeHead head) {}

  /**
   * Decodes a payload and insists that it is exactly the deterministic encoding of what it decodes
   * to, with no unknown fields: the writer serialises deterministically, so any other byte string
   * that happens to parse was not written by it.
   */
  private static <M extends Message> Optional<M> decode(
      LogFiles.Record record,
      com.google.protobuf.Parser<M> parser,
      String type,
      String file,
      List<Finding> failures) {
    M message;
    try {
      message = parser.parseFrom(record.payload());
    } catch (InvalidProtocolBufferException e) {
      failures.add(
          Finding.atOffset(
              "record " + record.index() + " is not a " + type + ": " + e.getMessage(),
              file,
              record.index(),
              record.offset()));
      return Optional.empty();
    }
    if (hasUnknownFields(message) || !Arrays.equals(deterministic(message), record.payload())) {
      failures.add(
          Finding.atOffset(
              "record "
                  + record.index()
                  + " is not in the canonical (deterministic) "
                  + type
                  + " encoding the coordinator writes",
              file,
              record.index(),
              record.offset()));
      return Optional.empty();
    }
    return Optional.of(message);
  }

  static byte[] deterministic(Message message) {
    byte[] bytes = new byte[message.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    try {
      message.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("serialising into a sized array cannot fail", e);
    }
    return bytes;
  }

  private static boolean hasUnknownFields(Message message) {
    if (!message.getUnknownFields().asMap().isEmpty()) {
      return true;
    }
    for (Map.Entry<com.google.protobuf.Descriptors.FieldDescriptor, Object> field :
        message.getAllFields().entrySet()) {
      Object value = field.getValue();
      if (value instanceof Message nested && hasUnknownFields(nested)) {
        return true;
      }
      if (value instanceof List<?> list) {
        for (Object item : list) {
          if (item instanceof Message nested && hasUnknownFields(nested)) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
