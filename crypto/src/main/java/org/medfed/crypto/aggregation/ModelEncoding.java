package org.medfed.crypto.aggregation;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The one byte form of a weight vector: IEEE 754 float64, little-endian, no header. The coordinator
 * stores and logs global models and aggregates in it ({@code new_model_sha256}, {@code
 * aggregate_sha256}), so anyone who recomputes a vector can compare digests bit for bit.
 */
public final class ModelEncoding {
  private ModelEncoding() {}

  public static byte[] encode(double[] weights) {
    Objects.requireNonNull(weights, "weights");
    ByteBuffer bytes = ByteBuffer.allocate(weights.length * Double.BYTES);
    bytes.order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().put(weights);
    return bytes.array();
  }

  /**
   * The weights encoded in {@code bytes}.
   *
   * @throws IllegalArgumentException if the length is not a whole number of float64 values
   */
  public static double[] decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length % Double.BYTES != 0) {
      throw new IllegalArgumentException(
          bytes.length + " bytes are not a whole number of 8-byte float64 values");
    }
    double[] weights = new double[bytes.length / Double.BYTES];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(weights);
    return weights;
  }

  /** SHA-256 of {@link #encode}: the digest the exchange log carries for a model or aggregate. */
  public static byte[] sha256(double[] weights) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(encode(weights));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }
}
