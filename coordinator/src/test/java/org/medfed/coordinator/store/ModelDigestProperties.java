package org.medfed.coordinator.store;

import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.medfed.crypto.aggregation.ModelEncoding;

/**
 * The digest the coordinator logs for a stored model is the one an auditor computes with {@link
 * ModelEncoding} from the replayed weights: the two encodings are the same bytes for every double,
 * including −0.0, subnormals, infinities and NaN payloads.
 */
class ModelDigestProperties {

  @Property
  void storedModelDigestIsModelEncodingsDigest(@ForAll double[] weights) {
    String stored = StudyStore.sha256Hex(weights);
    String replayed = HexFormat.of().formatHex(ModelEncoding.sha256(weights));
    if (!stored.equals(replayed)) {
      throw new AssertionError(stored + " != " + replayed);
    }
  }
}
