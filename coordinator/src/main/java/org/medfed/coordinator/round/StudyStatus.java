package org.medfed.coordinator.round;

/** Where a study is in its life. */
public enum StudyStatus {
  /** Invitations are out; waiting for sites to join or decline. */
  ENROLLING,
  RUNNING,
  COMPLETED,
  FAILED;

  public boolean finished() {
    return this == COMPLETED || this == FAILED;
  }
}
