package org.medfed.coordinator.federation;

import com.google.protobuf.ByteString;

/**
 * A site's verified signature on one message, as the exchange log records it: the signature, the
 * link to the site's previous statement that it signed, and the link of this statement (what the
 * coordinator tells the site it logged). All empty for a message that was refused before its
 * signature verified.
 */
record SiteSignature(ByteString signature, ByteString previous, ByteString statementSha256) {
  static final SiteSignature NONE =
      new SiteSignature(ByteString.EMPTY, ByteString.EMPTY, ByteString.EMPTY);

  boolean isPresent() {
    return !signature.isEmpty();
  }
}
