package org.medfed.proto.chunks;

import java.security.MessageDigest;
import java.util.Optional;
import org.medfed.proto.v1.VectorChunk;

/**
 * Reassembles a vector from chunks that must arrive in order, without gaps or overlap. It never
 * trusts a chunk's claims: every problem is reported as a sentence the sender can act on.
 */
public final class VectorAssembler {
  private final float[] values;
  private int received;

  public VectorAssembler(int expectedLength) {
    if (expectedLength < 0) {
      throw new IllegalArgumentException("expectedLength must be >= 0, got " + expectedLength);
    }
    this.values = new float[expectedLength];
  }

  /**
   * Adds the next chunk. Returns a description of what is wrong with it, or empty when it was
   * accepted; a refused chunk changes nothing.
   */
  public Optional<String> accept(VectorChunk chunk) {
    if (chunk.getTotalLength() != values.length) {
      return Optional.of(
          "chunk says the vector has "
              + chunk.getTotalLength()
              + " elements, expected "
              + values.length);
    }
    if (chunk.getOffset() != received) {
      return Optional.of("chunk starts at element " + chunk.getOffset() + ", expected " + received);
    }
    int count = chunk.getValuesCount();
    if (count == 0) {
      return Optional.of("chunk at element " + received + " is empty");
    }
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
    for (int i = 0; i < count; i++) {
      float value = chunk.getValues(i);
      if (!Float.isFinite(value)) {
        return Optional.of("element " + (received + i) + " is " + value + ", not a finite number");
      }
    }
    for (int i = 0; i < count; i++) {
      values[received + i] = chunk.getValues(i);
    }
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
    return complete() && MessageDigest.isEqual(VectorChunks.sha256(values), expectedSha256);
  }

  /** A copy of the assembled vector; only meaningful once {@link #complete()}. */
  public float[] values() {
    if (!complete()) {
      throw new IllegalStateException(
          "vector incomplete: " + received + " of " + values.length + " elements");
    }
    return values.clone();
  }
}
