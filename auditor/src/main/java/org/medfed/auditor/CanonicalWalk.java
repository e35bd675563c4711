package org.medfed.auditor;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.WireFormat;
import java.util.HashMap;
import java.util.Map;

/**
 * Recognises, in one walk over the bytes, a record that is exactly what protobuf-java's
 * deterministic serialisation writes for a proto3 message: fields in ascending number order, each
 * singular field and each oneof at most once, packed repeated scalars, no implicit-presence field
 * at its default, minimal varints, values that fit their type, and no unknown field, at every
 * depth.
 *
 * <p>It answers {@code true} only for such bytes, and is allowed to answer {@code false} for bytes
 * it does not understand (map fields, groups): {@link CanonicalDecoder} then re-encodes the message
 * and compares, which is the authority. The walk exists because re-encoding a million entries costs
 * as much as decoding them. Not thread-safe: one per thread.
 */
final class CanonicalWalk {
  private static final int NO_FIELD = 0;
  private final Map<Descriptor, Schema> schemas = new HashMap<>();
  private byte[] bytes;
  private int at;

  /** Whether {@code bytes[from, end)} is the deterministic encoding of a {@code type}. */
  boolean isCanonical(Descriptor type, byte[] record, int from, int end) {
    bytes = record;
    at = from;
    try {
      message(type, end);
      return true;
    } catch (NotCanonical | ArrayIndexOutOfBoundsException e) {
      return false;
    } finally {
      bytes = null;
    }
  }

  /** Why the walk stopped; carries nothing, as the authoritative check says why in words. */
  private static final class NotCanonical extends Exception {
    private static final NotCanonical INSTANCE = new NotCanonical();

    private NotCanonical() {
      super(null, null, false, false);
    }
  }

  private static void require(boolean condition) throws NotCanonical {
    if (!condition) {
      throw NotCanonical.INSTANCE;
    }
  }

  private void message(Descriptor type, int end) throws NotCanonical {
    Schema schema = schemas.computeIfAbsent(type, Schema::of);
    int previous = NO_FIELD;
    long oneofsSeen = 0;
    while (at < end) {
      long tag = varint();
      require(tag >= 0 && tag <= Integer.MAX_VALUE);
      int number = (int) (tag >>> 3);
      int wireType = (int) (tag & 7);
      FieldDescriptor field = schema.field(number);
      require(field != null && !field.isMapField());
      boolean nextElement = number == previous && field.isRepeated() && !field.isPacked();
      require(number > previous || nextElement);
      OneofDescriptor oneof = field.getRealContainingOneof();
      if (oneof != null && !nextElement) {
        require(oneof.getIndex() < Long.SIZE && (oneofsSeen & (1L << oneof.getIndex())) == 0);
        oneofsSeen |= 1L << oneof.getIndex();
      }
      previous = number;
      if (field.isPacked()) {
        packed(field, wireType, end);
      } else {
        value(field, wireType, end);
      }
    }
    require(at == end);
  }

  /** One singular value, or one element of an unpacked repeated field. */
  private void value(FieldDescriptor field, int wireType, int end) throws NotCanonical {
    require(wireType == field.getLiteType().getWireType());
    boolean mayBeDefault = field.isRepeated() || field.hasPresence();
    switch (wireType) {
      case WireFormat.WIRETYPE_VARINT -> {
        long value = varint();
        require(fits(field.getLiteType(), value) && (mayBeDefault || value != 0));
      }
      case WireFormat.WIRETYPE_FIXED64 -> require(fixed(Long.BYTES, end) != 0 || mayBeDefault);
      case WireFormat.WIRETYPE_FIXED32 -> require(fixed(Integer.BYTES, end) != 0 || mayBeDefault);
      case WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
        int length = length(end);
        int valueEnd = at + length;
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          message(field.getMessageType(), valueEnd);
        } else {
          // Strings and bytes; the parser has already refused strings that are not UTF-8.
          require(valueEnd > at || mayBeDefault);
          at = valueEnd;
        }
      }
      default -> throw NotCanonical.INSTANCE; // groups: proto3 has none
    }
  }

  /** A packed repeated scalar: one non-empty run of values that fit their type. */
  private void packed(FieldDescriptor field, int wireType, int end) throws NotCanonical {
    require(wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED);
    int length = length(end);
    int valueEnd = at + length;
    require(valueEnd > at);
    WireFormat.FieldType type = field.getLiteType();
    while (at < valueEnd) {
      switch (type.getWireType()) {
        case WireFormat.WIRETYPE_VARINT -> require(fits(type, varint()));
        case WireFormat.WIRETYPE_FIXED64 -> fixed(Long.BYTES, valueEnd);
        case WireFormat.WIRETYPE_FIXED32 -> fixed(Integer.BYTES, valueEnd);
        default -> throw NotCanonical.INSTANCE;
      }
    }
    require(at == valueEnd);
  }

  /** Whether a varint field holds a value its type writes back the same (bools are 0 or 1). */
  private static boolean fits(WireFormat.FieldType type, long value) {
    return switch (type) {
      case INT32, ENUM -> value == (int) value;
      case UINT32, SINT32 -> (value >>> 32) == 0;
      case BOOL -> value == 0 || value == 1;
      default -> true; // int64, uint64, sint64
    };
  }

  /** A varint in its shortest form: no redundant continuation byte, at most 64 bits. */
  private long varint() throws NotCanonical {
    long value = 0;
    for (int shift = 0; shift < Long.SIZE; shift += 7) {
      byte b = bytes[at++];
      value |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        require((b != 0 || shift == 0) && (shift < 63 || b == 1));
        return value;
      }
    }
    throw NotCanonical.INSTANCE;
  }

  /** A length prefix that stays within {@code end}. */
  private int length(int end) throws NotCanonical {
    long length = varint();
    require(length >= 0 && length <= end - at);
    return (int) length;
  }

  /** A little-endian fixed-width value within {@code end}: its raw bits. */
  private long fixed(int size, int end) throws NotCanonical {
    require(end - at >= size);
    long raw = 0;
    for (int i = size - 1; i >= 0; i--) {
      raw = (raw << 8) | (bytes[at + i] & 0xff);
    }
    at += size;
    return raw;
  }

  /** A message type's fields by number. */
  private record Schema(FieldDescriptor[] byNumber) {
    static Schema of(Descriptor type) {
      int highest = type.getFields().stream().mapToInt(FieldDescriptor::getNumber).max().orElse(0);
      FieldDescriptor[] byNumber = new FieldDescriptor[highest + 1];
      type.getFields().forEach(f -> byNumber[f.getNumber()] = f);
      return new Schema(byNumber);
    }

    FieldDescriptor field(int number) {
      return number > 0 && number < byNumber.length ? byNumber[number] : null;
    }
  }
}
