package org.medfed.crypto.secagg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;

/**
 * A sum of masks ±PRG(k_1) ± ... ± PRG(k_m) applied to a vector in one pass. For each block of
 * {@link MaskStream#CHUNK_INTS} elements, each stream's next key-stream chunk is written to one
 * scratch buffer and added to (or subtracted from) the block at once, so the block stays in cache
 * and no mask vector is ever materialised. The result is exactly that of running a {@link
 * MaskStream} per key over the whole vector in turn. Blocks must be applied in order, from index 0.
 */
final class MaskSum {
  private final List<Term> terms = new ArrayList<>();
  private final byte[] scratch = new byte[MaskStream.CHUNK_BYTES];

  private record Term(Cipher stream, boolean subtract) {}

  /** Adds PRG(key), or subtracts it if {@code subtract}. */
  void add(SecretKey key, boolean subtract) {
    terms.add(new Term(MaskStream.cipher(key), subtract));
  }

  int size() {
    return terms.size();
  }

  /**
   * Applies every stream's next {@code to - from} values to {@code into[from, to)}; a block is at
   * most {@link MaskStream#CHUNK_INTS} long and follows the previous one.
   */
  void applyTo(int[] into, int from, int to) {
    int count = to - from;
    if (count < 0 || count > MaskStream.CHUNK_INTS) {
      throw new IllegalArgumentException("block of " + count + " elements");
    }
    for (Term term : terms) {
      MaskStream.keyStream(term.stream(), scratch, Integer.BYTES * count);
      if (term.subtract()) {
        MaskStream.subtract(into, from, count, scratch, 0);
      } else {
        MaskStream.add(into, from, count, scratch, 0);
      }
    }
  }

  /** Applies every stream to the whole vector, block by block. */
  void applyTo(int[] into) {
    for (int from = 0; from < into.length; from += MaskStream.CHUNK_INTS) {
      applyTo(into, from, Math.min(into.length, from + MaskStream.CHUNK_INTS));
    }
    clear();
  }

  /** Wipes the last key-stream chunk from the scratch buffer. */
  void clear() {
    Arrays.fill(scratch, (byte) 0);
  }
}
