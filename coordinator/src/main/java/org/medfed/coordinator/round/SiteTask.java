package org.medfed.coordinator.round;

import java.time.Instant;

/** What a site is asked to do next; delivered when the site long-polls. */
public sealed interface SiteTask {

  /** Asks the site to check the study against its local policy and join or decline. */
  record Invite(String studyId) implements SiteTask {}

  /** Train from the given global model version and push an update before the deadline. */
  record Train(String studyId, int round, long modelVersion, Instant deadline, long seed)
      implements SiteTask {}

  /** Evaluate the given global model version on the site's own test split. */
  record Evaluate(String studyId, int round, long modelVersion, Instant deadline)
      implements SiteTask {}

  /** The study is over; outcome is "completed" or "failed: reason". */
  record Ended(String studyId, String outcome, long finalModelVersion) implements SiteTask {}

  /** Train and Evaluate tasks are only valid in their phase: a newer one replaces them. */
  default boolean supersededByPhaseTasks() {
    return this instanceof Train || this instanceof Evaluate;
  }
}
