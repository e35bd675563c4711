package org.medfed.auditor;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes log records and insists that each is exactly the deterministic encoding of what it
 * decodes to, with no unknown fields: the writer serialises deterministically, so any other byte
 * string that happens to parse was not written by it. A {@link CanonicalWalk} over the bytes
 * recognises almost every record; re-encoding decides the rest. Not thread-safe: one per thread,
 * since it reuses one buffer for the re-encodings.
 *
 * <p>Bytes fields alias the file instead of being copied: the auditor holds the whole file anyway
 * and never changes it.
 */
final class CanonicalDecoder {
  private final Map<Descriptor, Schema> schemas = new HashMap<>();
  private final CanonicalWalk walk = new CanonicalWalk();
  private byte[] encoded = new byte[256];

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
      CodedInputStream in = CodedInputStream.newInstance(file, from, length);
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
    // The walk recognises what the writer writes; what it does not recognise is judged by
    // re-encoding, the authority, so that the walk can never be the reason a record fails.
    if (!walk.isCanonical(message.getDescriptorForType(), file, from, from + length)
        && (!encodesTo(message, file, from, length)
            || hasUnknownFields(message.getDescriptorForType(), file, from, from + length))) {
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
  private boolean encodesTo(Message message, byte[] file, int from, int length) {
    int size = message.getSerializedSize();
    if (size != length) {
      return false;
    }
    if (encoded.length < size) {
      encoded = new byte[Math.max(size, 2 * encoded.length)];
    }
    CodedOutputStream out = CodedOutputStream.newInstance(encoded, 0, size);
    out.useDeterministicSerialization();
    try {
      message.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("serialising into a sized array cannot fail", e);
    }
    return Arrays.equals(encoded, 0, size, file, from, from + length);
  }

  /** The deterministic encoding of {@code message}, as the coordinator writes it. */
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

  /**
   * Whether the record holds a field its schema does not define, at any depth: a field number the
   * type lacks, or a known number with a wire type its field cannot have (the parser keeps both as
   * unknown fields, and re-encoding writes them back unchanged). Walks the bytes once instead of
   * the decoded message; the record parsed, so its framing is sound.
   */
  private boolean hasUnknownFields(Descriptor type, byte[] file, int from, int end) {
    Schema schema = schema(type);
    int at = from;
    while (at < end) {
      long tag = 0;
      int shift = 0;
      byte b;
      do {
        b = file[at++];
        tag |= (long) (b & 0x7f) << shift;
        shift += 7;
      } while (b < 0);
      int wireType = (int) (tag & 7);
      long number = tag >>> 3;
      FieldDescriptor field = schema.field(number);
      if (field == null || !accepts(field, wireType)) {
        return true;
      }
      switch (wireType) {
        case WireFormat.WIRETYPE_VARINT -> {
          while (file[at++] < 0) {
            // the varint's continuation bytes
          }
        }
        case WireFormat.WIRETYPE_FIXED64 -> at += 8;
        case WireFormat.WIRETYPE_FIXED32 -> at += 4;
        case WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
          int length = 0;
          shift = 0;
          do {
            b = file[at++];
            length |= (b & 0x7f) << shift;
            shift += 7;
          } while (b < 0);
          if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
              && hasUnknownFields(field.getMessageType(), file, at, at + length)) {
            return true;
          }
          at += length;
        }
        default -> {
          return true; // groups: proto3 has none
        }
      }
    }
    return false;
  }

  /** Whether a field of this type may arrive with this wire type (packed or not, if repeated). */
  private static boolean accepts(FieldDescriptor field, int wireType) {
    int expected = field.getLiteType().getWireType();
    return wireType == expected
        || (field.isRepeated()
            && field.getLiteType().isPackable()
            && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED);
  }

  private Schema schema(Descriptor type) {
    return schemas.computeIfAbsent(type, Schema::of);
  }

  /** A message type's fields by number. */
  private record Schema(FieldDescriptor[] byNumber) {
    static Schema of(Descriptor type) {
      int highest = type.getFields().stream().mapToInt(FieldDescriptor::getNumber).max().orElse(0);
      FieldDescriptor[] byNumber = new FieldDescriptor[highest + 1];
      type.getFields().forEach(f -> byNumber[f.getNumber()] = f);
      return new Schema(byNumber);
    }

    FieldDescriptor field(long number) {
      return number > 0 && number < byNumber.length ? byNumber[(int) number] : null;
    }
  }
}
