package org.medfed.coordinator.study;

/** What the coordinator does when a round ends with fewer than {@code min-sites} updates. */
public enum RoundFailurePolicy {
  /** Keep the global model unchanged and start the next round. */
  CONTINUE,
  /** End the study with the last good global model. */
  STOP
}
