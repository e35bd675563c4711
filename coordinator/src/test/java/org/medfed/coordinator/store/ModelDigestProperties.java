package org.medfed.coordinator.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.medfed.crypto.aggregation.ModelEncoding;

/**
 * The digest the coordinator logs for a stored model is the one an auditor computes with {@link
 * ModelEncoding} from the replayed weights, and the stored model reads back bit for bit: for every
 * double, including −0.0, subnormals, infinities and NaN payloads.
 */
class ModelDigestProperties {

  @Property(tries = 200)
  void storedModelDigestIsModelEncodingsDigest(@ForAll double[] weights) throws IOException {
    Path directory = Files.createTempDirectory("model-digest");
    try {
      StudyStore store = new StudyStore(directory);
      String stored = store.saveModel(1, weights);
      String replayed = HexFormat.of().formatHex(ModelEncoding.sha256(weights));
      if (!stored.equals(replayed)) {
        throw new AssertionError(stored + " != " + replayed);
      }
      double[] loaded = store.loadModel(1, stored);
      if (!HexFormat.of().formatHex(ModelEncoding.sha256(loaded)).equals(stored)) {
        throw new AssertionError("model version 1 did not read back bit for bit");
      }
    } finally {
      try (Stream<Path> files = Files.walk(directory)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }
}
