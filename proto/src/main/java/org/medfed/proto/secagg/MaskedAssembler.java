package org.medfed.proto.secagg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.Optional;
import org.medfed.proto.v1.MaskedChunk;

/**
 * Reassembles a masked vector from chunks that must arrive in order, without gaps or overlap. Any
 * 32-bit value is valid (masked values are uniformly random), so only the framing is checked.
 */
public final class MaskedAssembler {
  private final int[] values;
  private int received;

  public MaskedAssembler(int expectedLength) {
    if (expectedLength < 0) {
      throw new IllegalArgumentException("expectedLength must be >= 0, got " + expectedLength);
    }
    this.values = new int[expectedLength];
  }

  /** Adds the next chunk, or says what is wrong with it; a refused chunk changes nothing. */
  public Optional<String> accept(MaskedChunk chunk) {
    if (chunk.getTotalLength() != values.length) {
      return Optional.of(
          "chunk says the masked vector has "
              + chunk.getTotalLength()
              + " elements, expected "
              + values.length);
    }
    if (chunk.getOffset() != received) {
      return Optional.of("chunk starts at element " + chunk.getOffset() + ", expected " + received);
    }
    int bytes = chunk.getValues().size();
    if (bytes == 0 || bytes % Integer.BYTES != 0) {
      return Optional.of(
          "chunk at element " + received + " carries " + bytes + " bytes, not a multiple of 4");
    }
    int count = bytes / Integer.BYTES;
    if (count > values.length - received) {
      return Optional.of(
          "chunk at element "
              + received
              + " carries "
              + count
              + " values, only "
              + (values.length - received)
              + " remain");
    }
    ByteBuffer buffer = chunk.getValues().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    buffer.asIntBuffer().get(values, received, count);
    received += count;
    return Optional.empty();
  }

  public int received() {
    return received;
  }

  public boolean complete() {
    return received == values.length;
  }

  /** True when the complete vector has the given SHA-256 (compared in constant time). */
  public boolean matches(byte[] expectedSha256) {
    return complete()
        && MessageDigest.isEqual(SecureAggregationWire.sha256(values), expectedSha256);
  }

  /** A copy of the assembled vector; only meaningful once {@link #complete()}. */
  public int[] values() {
    if (!complete()) {
      throw new IllegalStateException(
          "masked vector incomplete: " + received + " of " + values.length + " elements");
    }
    return values.clone();
  }
}
