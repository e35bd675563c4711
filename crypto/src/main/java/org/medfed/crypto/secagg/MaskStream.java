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
 * counter starting at zero. Each key is derived for exactly one stream, so a fixed IV is safe. The
 * cipher is fed 32 KiB chunks so the JDK's intrinsic AES path gets compiled early.
 */
final class MaskStream {
  static final int CHUNK_BYTES = 32 * 1024;
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private final Cipher cipher;
  private final byte[] zeros = new byte[CHUNK_BYTES];
  private final byte[] chunk = new byte[CHUNK_BYTES];
  private int position = CHUNK_BYTES;

  MaskStream(SecretKey key) {
    if (key.getEncoded() == null || key.getEncoded().length != RoundCrypto.KEY_BYTES) {
      throw new IllegalArgumentException("mask keys are 256-bit AES keys");
    }
    try {
      cipher = Cipher.getInstance("AES/CTR/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(new byte[16]));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM lacks AES-CTR", e);
    }
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
      int available = (CHUNK_BYTES - position) / Integer.BYTES;
      int end = Math.min(into.length, i + available);
      int p = position;
      if (subtract) {
        for (; i < end; i++, p += Integer.BYTES) {
          into[i] -= (int) INT_LE.get(chunk, p);
        }
      } else {
        for (; i < end; i++, p += Integer.BYTES) {
          into[i] += (int) INT_LE.get(chunk, p);
        }
      }
      position = p;
    }
  }

  private void refill() {
    try {
      cipher.update(zeros, 0, CHUNK_BYTES, chunk, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException("AES-CTR output buffer too short", e);
    }
    position = 0;
  }
}
