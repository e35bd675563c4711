package org.medfed.coordinator.round;

import java.util.List;
import org.medfed.crypto.aggregation.SiteUpdate;

/**
 * What a round's training produced: updates to aggregate, or why there are none; from the engine's
 * plaintext rounds or from a round's {@link SecurePhases}.
 */
sealed interface Collected {
  record Updates(List<SiteUpdate> updates, List<String> sites) implements Collected {}

  record Failed(String reason) implements Collected {}
}
