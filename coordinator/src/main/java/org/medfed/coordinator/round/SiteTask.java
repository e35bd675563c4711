package org.medfed.coordinator.round;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.medfed.proto.v1.AdvertisedKeys;
import org.medfed.proto.v1.EncryptedShare;
import org.medfed.proto.v1.SecureAggregationRound;

/** What a site is asked to do next; delivered when the site long-polls. */
public sealed interface SiteTask {

  /** Asks the site to check the study against its local policy and join or decline. */
  record Invite(String studyId) implements SiteTask {}

  /**
   * Train from the given global model version and push an update before the deadline; or, when
   * {@code secureAggregation} is present, advertise keys for the round's secure aggregation.
   */
  record Train(
      String studyId,
      int round,
      long modelVersion,
      Instant deadline,
      long seed,
      Optional<SecureAggregationRound> secureAggregation)
      implements SiteTask {}

  /** Secure aggregation: the keys every site advertised; answer with encrypted shares. */
  record ShareKeys(String studyId, int round, List<AdvertisedKeys> keys, Instant deadline)
      implements SiteTask {}

  /** Secure aggregation: the shares routed to this site; answer with the masked update. */
  record MaskInput(String studyId, int round, List<EncryptedShare> shares, Instant deadline)
      implements SiteTask {}

  /** Secure aggregation: who contributed; answer with the shares that remove the masks. */
  record Unmask(String studyId, int round, List<String> contributors, Instant deadline)
      implements SiteTask {}

  /** Evaluate the given global model version on the site's own test split. */
  record Evaluate(String studyId, int round, long modelVersion, Instant deadline)
      implements SiteTask {}

  /** The study is over; outcome is "completed" or "failed: reason". */
  record Ended(String studyId, String outcome, long finalModelVersion) implements SiteTask {}

  /** Phase tasks are only valid in their phase: a newer one replaces them. */
  default boolean supersededByPhaseTasks() {
    return !(this instanceof Invite || this instanceof Ended);
  }

  /** The round a task belongs to; 0 for study-level tasks. */
  default int round() {
    return switch (this) {
      case Train t -> t.round();
      case ShareKeys t -> t.round();
      case MaskInput t -> t.round();
      case Unmask t -> t.round();
      case Evaluate t -> t.round();
      case Invite t -> 0;
      case Ended t -> 0;
    };
  }
}
