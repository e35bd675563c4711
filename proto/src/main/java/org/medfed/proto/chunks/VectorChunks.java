package org.medfed.proto.chunks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.medfed.proto.v1.VectorChunk;

/**
 * Splits vectors into {@link VectorChunk}s and digests them. Both ends of the wire must agree on
 * this byte-for-byte, which is why it lives beside the contract rather than in either app.
 */
public final class VectorChunks {
  /** 65,536 float32 values: 256 KiB of payload, far below gRPC's 4 MiB message limit. */
  public static final int DEFAULT_MAX_CHUNK_ELEMENTS = 65_536;

  /** Upper bound any peer may ask for: 1 Mi floats is 4 MiB, which would hit gRPC's limit. */
  public static final int LIMIT_MAX_CHUNK_ELEMENTS = 512 * 1024;

  private VectorChunks() {}

  /** The chunks of {@code values} from element {@code fromElement} on, each at most max long. */
  public static List<VectorChunk> split(float[] values, int fromElement, int maxChunkElements) {
    if (maxChunkElements < 1 || maxChunkElements > LIMIT_MAX_CHUNK_ELEMENTS) {
      throw new IllegalArgumentException(
          "maxChunkElements must be in [1, "
              + LIMIT_MAX_CHUNK_ELEMENTS
              + "], got "
              + maxChunkElements);
    }
    if (fromElement < 0 || fromElement > values.length) {
      throw new IllegalArgumentException(
          "fromElement must be in [0, " + values.length + "], got " + fromElement);
    }
    List<VectorChunk> chunks = new ArrayList<>();
    for (int offset = fromElement; offset < values.length; offset += maxChunkElements) {
      int end = Math.min(values.length, offset + maxChunkElements);
      VectorChunk.Builder chunk =
          VectorChunk.newBuilder().setOffset(offset).setTotalLength(values.length);
      for (int i = offset; i < end; i++) {
        chunk.addValues(values[i]);
      }
      chunks.add(chunk.build());
    }
    return chunks;
  }

  /** SHA-256 of the vector as little-endian IEEE-754 float32 values. */
  public static byte[] sha256(float[] values) {
    MessageDigest digest = newSha256();
    ByteBuffer buffer = ByteBuffer.allocate(16 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : values) {
      if (!buffer.hasRemaining()) {
        buffer.flip();
        digest.update(buffer);
        buffer.clear();
      }
      buffer.putFloat(value);
    }
    buffer.flip();
    digest.update(buffer);
    return digest.digest();
  }

  /** Widens to double, the precision models are trained and aggregated in. */
  public static double[] toDoubles(float[] values) {
    double[] result = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      result[i] = values[i];
    }
    return result;
  }

  /** Narrows to float32, the precision vectors travel in. */
  public static float[] toFloats(double[] values) {
    float[] result = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      result[i] = (float) values[i];
    }
    return result;
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }
}
