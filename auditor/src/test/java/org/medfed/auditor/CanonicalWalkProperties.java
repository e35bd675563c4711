package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.medfed.proto.log.DeterministicEncoding;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.SignedTreeHead;

/**
 * The walk that spares the auditor re-encoding every entry agrees with re-encoding: on every record
 * of the demo log, on entries with random field values, and on any mutation of an entry that still
 * parses. Re-encoding (deterministically) and finding no unknown field by reflection is the
 * reference here: the same judgement as the auditor's fallback, written again in the test so that
 * the oracle does not share code with what it checks.
 */
class CanonicalWalkProperties {
  private static final List<byte[]> ENTRIES =
      TestLogs.payloads(TestLogs.read(TestLogs.fixture().resolve("exchange.log")));
  private static final List<byte[]> HEADS =
      TestLogs.payloads(TestLogs.read(TestLogs.fixture().resolve("tree-heads.log")));

  private final CanonicalWalk walk = new CanonicalWalk();

  /** The reference: parses, re-encodes to exactly these bytes, and holds no unknown field. */
  private static boolean canonical(com.google.protobuf.Parser<? extends Message> parser, byte[] b) {
    try {
      Message message = parser.parseFrom(b);
      return Arrays.equals(DeterministicEncoding.of(message), b) && !hasUnknown(message);
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  private static boolean hasUnknown(Message message) {
    if (!message.getUnknownFields().asMap().isEmpty()) {
      return true;
    }
    for (var field : message.getAllFields().entrySet()) {
      if (field.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      List<?> values =
          field.getKey().isRepeated() ? (List<?>) field.getValue() : List.of(field.getValue());
      for (Object value : values) {
        if (hasUnknown((Message) value)) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean walks(byte[] bytes) {
    return walk.isCanonical(LogEntry.getDescriptor(), bytes, 0, bytes.length);
  }

  @Test
  void everyRecordOfTheDemoLogIsRecognisedWithoutReEncoding() {
    ENTRIES.forEach(entry -> assertTrue(walks(entry)));
    HEADS.forEach(
        head -> assertTrue(walk.isCanonical(SignedTreeHead.getDescriptor(), head, 0, head.length)));
  }

  @Property(tries = 5000)
  void aMutatedEntryThatStillParsesIsRecognisedExactlyWhenReEncodingReproducesIt(
      @ForAll("entryIndex") int index, @ForAll long seed) {
    byte[] mutant = mutate(ENTRIES.get(index), new Random(seed));

    // The auditor walks only records that parsed (the parser checks strings' UTF-8, the walk not).
    if (parses(mutant)) {
      assertEquals(canonical(LogEntry.parser(), mutant), walks(mutant));
    }
  }

  @Test
  void manyMutantsStillParseSoThePropertyAboveIsNotVacuous() {
    Random random = new Random(20261122);
    int parsed = 0;
    int canonical = 0;
    for (int i = 0; i < 3000; i++) {
      byte[] mutant = mutate(ENTRIES.get(random.nextInt(ENTRIES.size())), random);
      parsed += parses(mutant) ? 1 : 0;
      canonical += canonical(LogEntry.parser(), mutant) ? 1 : 0;
    }
    assertTrue(parsed > 300, parsed + " of 3000 mutants parse");
    assertTrue(canonical > 30, canonical + " of 3000 mutants are canonical");
  }

  private static boolean parses(byte[] bytes) {
    try {
      LogEntry.parseFrom(bytes);
      return true;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  @Property(tries = 1000)
  void anEntryWithRandomFieldValuesIsRecognised(
      @ForAll("entryIndex") int index, @ForAll long seed) {
    LogEntry.Builder entry = TestLogs.parseEntry(ENTRIES.get(index)).toBuilder();
    randomise(entry, new Random(seed));
    byte[] bytes = DeterministicEncoding.of(entry.build());

    assertTrue(walks(bytes));
  }

  @Test
  void encodingsTheWriterNeverProducesAreNotRecognised() {
    LogEntry entry = TestLogs.parseEntry(ENTRIES.get(1));
    byte[] kind =
        entry.toBuilder().clearTimeUnixMillis().clearStudyId().clearRound().build().toByteArray();
    byte[] time = field(2, entry.getTimeUnixMillis());
    List<byte[]> writerNeverProduces =
        List.of(
            concat(new byte[] {0x10, (byte) 0x81, 0x00}, kind), // 1 in 2 bytes
            concat(concat(time, time), kind), // a singular field twice
            concat(concat(field(4, 0), time), kind), // out of order, and round 0 written
            concat(time, concat(field(4, 0), kind)), // an implicit-presence field at its default
            concat(concat(time, kind), kind)); // the oneof's message twice
    for (byte[] bytes : writerNeverProduces) {
      assertTrue(parses(bytes));
      assertTrue(!canonical(LogEntry.parser(), bytes) && !walks(bytes));
    }
  }

  /** Field {@code number} as a varint, as the writer would spell it. */
  private static byte[] field(int number, long value) {
    try {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      com.google.protobuf.CodedOutputStream coded =
          com.google.protobuf.CodedOutputStream.newInstance(out);
      coded.writeUInt64(number, value);
      coded.flush();
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<Integer> entryIndex() {
    return net.jqwik.api.Arbitraries.integers().between(0, ENTRIES.size() - 1);
  }

  /** One to three random edits: flip a bit, set a byte, drop, duplicate or insert a byte. */
  private static byte[] mutate(byte[] original, Random random) {
    byte[] bytes = original.clone();
    for (int edits = 1 + random.nextInt(3); edits > 0 && bytes.length > 1; edits--) {
      int at = random.nextInt(bytes.length);
      bytes =
          switch (random.nextInt(5)) {
            case 0 -> {
              bytes[at] ^= (byte) (1 << random.nextInt(8));
              yield bytes;
            }
            case 1 -> {
              bytes[at] = (byte) random.nextInt(256);
              yield bytes;
            }
            case 2 ->
                concat(Arrays.copyOf(bytes, at), Arrays.copyOfRange(bytes, at + 1, bytes.length));
            case 3 ->
                concat(Arrays.copyOf(bytes, at + 1), Arrays.copyOfRange(bytes, at, bytes.length));
            default ->
                concat(
                    concat(Arrays.copyOf(bytes, at), new byte[] {(byte) random.nextInt(256)}),
                    Arrays.copyOfRange(bytes, at, bytes.length));
          };
    }
    return bytes;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] joined = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    return joined;
  }

  /** Sets about half of the scalar fields, at every depth, to random values, defaults included. */
  private static void randomise(Message.Builder builder, Random random) {
    for (FieldDescriptor field : builder.getDescriptorForType().getFields()) {
      if (field.isRepeated()) {
        continue;
      }
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (builder.hasField(field)) {
          randomise(builder.getFieldBuilder(field), random);
        }
        continue;
      }
      if (random.nextBoolean()) {
        builder.setField(field, randomValue(field, random));
      }
    }
  }

  private static Object randomValue(FieldDescriptor field, Random random) {
    boolean zero = random.nextInt(4) == 0;
    return switch (field.getJavaType()) {
      case INT -> zero ? 0 : random.nextInt();
      case LONG -> zero ? 0L : random.nextLong();
      case DOUBLE ->
          zero
              ? 0.0
              : switch (random.nextInt(4)) {
                case 0 -> -0.0;
                case 1 -> Double.NaN;
                default -> random.nextGaussian() * 1e6;
              };
      case FLOAT -> zero ? 0f : (float) random.nextGaussian();
      case BOOLEAN -> !zero && random.nextBoolean();
      case STRING -> zero ? "" : "s" + random.nextInt(1000) + "é";
      case BYTE_STRING -> {
        byte[] bytes = new byte[zero ? 0 : 1 + random.nextInt(40)];
        random.nextBytes(bytes);
        yield ByteString.copyFrom(bytes);
      }
      case ENUM ->
          field
              .getEnumType()
              .getValues()
              .get(random.nextInt(field.getEnumType().getValues().size()));
      case MESSAGE -> throw new IllegalArgumentException("messages are recursed into");
    };
  }
}
