package org.medfed.proto.log;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.IOException;

/**
 * The one encoding of exchange-log records: protobuf's deterministic serialisation. The coordinator
 * writes every entry this way, so the same entry always hashes to the same Merkle leaf, and the
 * auditor accepts a record only if it is exactly this encoding of what it decodes to; both use this
 * class, so they cannot drift apart.
 */
public final class DeterministicEncoding {
  private DeterministicEncoding() {}

  /** The deterministic encoding of {@code message}. */
  public static byte[] of(Message message) {
    byte[] bytes = new byte[message.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    try {
      message.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("serialising into a sized array cannot fail", e);
    }
    return bytes;
  }
}
