package org.medfed.crypto.secagg;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.IvParameterSpec;

/**
 * A pseudorandom stream of uint32 values: AES-256-CTR (JDK provider) keyed by a full HKDF output,
 * counter starting at zero, each value the next four key-stream bytes read little-endian. Each key
 * is derived for exactly one stream, so a fixed IV is safe. The cipher is fed chunks of {@value
 * #CHUNK_BYTES} bytes so the JDK's intrinsic AES path gets compiled early.
 *
 * <p>The static helpers are shared with {@link MaskSum}, which runs several streams block by block.
 */
final class MaskStream {
  static final int CHUNK_BYTES = 16 * 1024;
  static final int CHUNK_INTS = CHUNK_BYTES / Integer.BYTES;

  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  /** Input of every key-stream call: only ever read (CTR output = key stream XOR input). */
  private static final byte[] ZEROS = new byte[2 * CHUNK_BYTES];

  private final Cipher cipher;
  private final byte[] chunk = new byte[CHUNK_BYTES];
  private int position = CHUNK_BYTES;

  MaskStream(SecretKey key) {
    cipher = cipher(key);
  }

  /** An AES-256-CTR cipher at counter zero, for a 256-bit key used for this one stream. */
  static Cipher cipher(SecretKey key) {
    if (key.getEncoded() == null || key.getEncoded().length != RoundCrypto.KEY_BYTES) {
      throw new IllegalArgumentException("mask keys are 256-bit AES keys");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(new byte[16]));
      return cipher;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM lacks AES-CTR", e);
    }
  }

  /** Writes the next {@code length} (at most {@code 2 * CHUNK_BYTES}) key-stream bytes to out. */
  static void keyStream(Cipher cipher, byte[] out, int length) {
    try {
      cipher.update(ZEROS, 0, length, out, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException("AES-CTR output buffer too short", e);
    }
  }

  /** {@code into[from + j] += (LE int at bytes[offset + 4j])} for j < count, mod 2^32. */
  static void add(int[] into, int from, int count, byte[] bytes, int offset) {
    for (int j = 0; j < count; j++) {
      into[from + j] += (int) INT_LE.get(bytes, offset + Integer.BYTES * j);
    }
  }

  /** {@code into[from + j] -= (LE int at bytes[offset + 4j])} for j < count, mod 2^32. */
  static void subtract(int[] into, int from, int count, byte[] bytes, int offset) {
    for (int j = 0; j < count; j++) {
      into[from + j] -= (int) INT_LE.get(bytes, offset + Integer.BYTES * j);
    }
  }

  /** The little-endian int at {@code bytes[offset]}. */
  static int intAt(byte[] bytes, int offset) {
    return (int) INT_LE.get(bytes, offset);
  }

  int nextInt() {
    if (position == CHUNK_BYTES) {
      refill();
    }
    int value = (int) INT_LE.get(chunk, position);
    position += Integer.BYTES;
    return value;
  }

  /** Adds (or, if {@code subtract}, subtracts) the next {@code into.length} values mod 2^32. */
  void addInto(int[] into, boolean subtract) {
    int i = 0;
    while (i < into.length) {
      if (position == CHUNK_BYTES) {
        refill();
      }
      int count = Math.min(into.length - i, (CHUNK_BYTES - position) / Integer.BYTES);
      if (subtract) {
        subtract(into, i, count, chunk, position);
      } else {
        add(into, i, count, chunk, position);
      }
      i += count;
      position += Integer.BYTES * count;
    }
  }

  private void refill() {
    keyStream(cipher, chunk, CHUNK_BYTES);
    position = 0;
  }
}
