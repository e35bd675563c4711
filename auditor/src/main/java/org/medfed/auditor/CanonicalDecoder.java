package org.medfed.auditor;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.medfed.auditor.LogAuditor.AuditedEntry;
import org.medfed.proto.log.DeterministicEncoding;
import org.medfed.proto.v1.LogEntry;

/**
 * Decodes log records and insists that each is exactly the deterministic encoding of what it
 * decodes to, with no unknown fields: the writer serialises deterministically, so any other byte
 * string that happens to parse was not written by it. A {@link CanonicalWalk} over the bytes
 * recognises the records the writer writes; what it does not recognise is re-encoded and its fields
 * looked through, which decides (and is rare, so it may be slow). Not thread-safe: one per thread.
 *
 * <p>Bytes fields alias the file instead of being copied: the auditor holds the whole file anyway
 * and never changes it.
 */
final class CanonicalDecoder {
  private final CanonicalWalk walk = new CanonicalWalk();

  /**
   * Exchange-log record {@code index}, {@code file[from, from+length)} at byte {@code offset}, as
   * an entry, or empty with the reason added to {@code failures}.
   */
  Optional<AuditedEntry> entry(
      byte[] file, int from, int length, long index, long offset, List<Finding> failures) {
    return decode(
            file,
            from,
            length,
            index,
            offset,
            LogEntry.parser(),
            "LogEntry",
            LogFiles.EXCHANGE_LOG,
            failures)
        .map(entry -> new AuditedEntry(index, offset, entry));
  }

  /**
   * The record {@code file[from, from+length)} as a {@code type}, or empty with the reason added to
   * {@code failures}.
   */
  <M extends Message> Optional<M> decode(
      byte[] file,
      int from,
      int length,
      long index,
      long offset,
      Parser<M> parser,
      String type,
      String fileName,
      List<Finding> failures) {
    M message;
    try {
      // Only a stream over bytes it is told are immutable aliases them; one over a plain array
      // copies every bytes field, whatever enableAliasing says.
      CodedInputStream in = UnsafeByteOperations.unsafeWrap(file, from, length).newCodedInput();
      in.enableAliasing(true);
      message = parser.parseFrom(in);
    } catch (IOException e) {
      failures.add(
          Finding.atOffset(
              "record " + index + " is not a " + type + ": " + e.getMessage(),
              fileName,
              index,
              offset));
      return Optional.empty();
    }
    if (!walk.isCanonical(message.getDescriptorForType(), file, from, from + length)
        && (!encodesTo(message, file, from, length) || hasUnknownFields(message))) {
      failures.add(
          Finding.atOffset(
              "record "
                  + index
                  + " is not in the canonical (deterministic) "
                  + type
                  + " encoding the coordinator writes",
              fileName,
              index,
              offset));
      return Optional.empty();
    }
    return Optional.of(message);
  }

  /** Whether the deterministic encoding of {@code message} is {@code file[from, from+length)}. */
  private static boolean encodesTo(Message message, byte[] file, int from, int length) {
    byte[] encoded = DeterministicEncoding.of(message);
    return Arrays.equals(encoded, 0, encoded.length, file, from, from + length);
  }

  /**
   * Whether {@code message} or any message inside it holds fields its schema does not define (a
   * known field number with the wrong wire type is kept as unknown too); re-encoding writes them
   * back unchanged, so the byte comparison alone would not see them.
   */
  private static boolean hasUnknownFields(Message message) {
    if (!message.getUnknownFields().asMap().isEmpty()) {
      return true;
    }
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      if (field.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      List<?> values =
          field.getKey().isRepeated() ? (List<?>) field.getValue() : List.of(field.getValue());
      for (Object value : values) {
        if (hasUnknownFields((Message) value)) {
          return true;
        }
      }
    }
    return false;
  }
}
