package org.medfed.crypto.merkle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A growable list of 32-byte hashes, packed into pages of 4096 (the first grows to that size from
 * 8). Packing saves the ~20 bytes of object header and reference each {@code byte[]} would cost
 * (more than half again on top of the hash itself), and paging lets a level grow past the 2 GiB
 * limit of one array without copying.
 */
final class HashStore {
  private static final int PAGE_BITS = 12;
  private static final int HASHES_PER_PAGE = 1 << PAGE_BITS;
  private static final int PAGE_MASK = HASHES_PER_PAGE - 1;
  private static final int PAGE_BYTES = HASHES_PER_PAGE * Hasher.HASH_SIZE;
  // The upper levels of a big tree and every level of a small one hold only a few hashes: start
  // the first page small and double it, rather than spend a full page on each.
  private static final int FIRST_PAGE_BYTES = 8 * Hasher.HASH_SIZE;

  private final List<byte[]> pages = new ArrayList<>();
  private long size;

  long size() {
    return size;
  }

  void add(byte[] hash) {
    int offset = (int) (size & PAGE_MASK) * Hasher.HASH_SIZE;
    if (offset == 0) {
      pages.add(new byte[pages.isEmpty() ? FIRST_PAGE_BYTES : PAGE_BYTES]);
    }
    byte[] page = pages.getLast();
    if (offset == page.length) {
      page = Arrays.copyOf(page, Math.min(2 * page.length, PAGE_BYTES));
      pages.set(pages.size() - 1, page);
    }
    System.arraycopy(hash, 0, page, offset, Hasher.HASH_SIZE);
    size++;
  }

  /** A copy of hash {@code index}, so callers can never change what the store holds. */
  byte[] get(long index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("hash " + index + " of " + size);
    }
    byte[] page = pages.get((int) (index >>> PAGE_BITS));
    int offset = (int) (index & PAGE_MASK) * Hasher.HASH_SIZE;
    byte[] hash = new byte[Hasher.HASH_SIZE];
    System.arraycopy(page, offset, hash, 0, Hasher.HASH_SIZE);
    return hash;
  }
}
