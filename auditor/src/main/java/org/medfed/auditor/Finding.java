package org.medfed.auditor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One failure or warning of a check, with where it was found. Every location field is optional
 * ({@code null} when it does not apply): the file, the entry (its index is its Merkle leaf index),
 * the byte offset of its record in the file, the tree head (its index in {@code tree-heads.log})
 * and the tree size that head claims.
 */
public record Finding(
    String message, String file, Long entryIndex, Long byteOffset, Long headIndex, Long treeSize) {

  public Finding {
    Objects.requireNonNull(message, "message");
    if (message.isBlank()) {
      throw new IllegalArgumentException("a finding needs a message");
    }
  }

  /** A finding with no location. */
  public static Finding of(String message) {
    return new Finding(message, null, null, null, null, null);
  }

  /** A finding about entry {@code index} of exchange.log, whose record starts at {@code offset}. */
  public static Finding atEntry(String message, long index, long offset) {
    return new Finding(message, LogFiles.EXCHANGE_LOG, index, offset, null, null);
  }

  /** A finding about tree head {@code index} of tree-heads.log. */
  public static Finding atHead(String message, long index, long offset, Long treeSize) {
    return new Finding(message, LogFiles.TREE_HEADS, null, offset, index, treeSize);
  }

  /** A finding at a byte offset of a file, outside any decodable record. */
  public static Finding atOffset(String message, String file, Long recordIndex, long offset) {
    boolean entries = LogFiles.EXCHANGE_LOG.equals(file);
    return new Finding(
        message, file, entries ? recordIndex : null, offset, entries ? null : recordIndex, null);
  }

  /** The location as text, e.g. {@code exchange.log entry 12, byte 1850}; empty if none. */
  public String location() {
    StringBuilder text = new StringBuilder(file == null ? "" : file);
    if (entryIndex != null) {
      text.append(" entry ").append(entryIndex);
    }
    if (headIndex != null) {
      text.append(" head ").append(headIndex);
    }
    List<String> details = new ArrayList<>();
    if (treeSize != null) {
      details.add("tree size " + treeSize);
    }
    if (byteOffset != null) {
      details.add("byte " + byteOffset);
    }
    if (!details.isEmpty()) {
      text.append(text.isEmpty() ? "" : ", ").append(String.join(", ", details));
    }
    return text.toString().strip();
  }
}
