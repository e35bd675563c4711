package org.medfed.coordinator.round;

/** A site's answer to the study invitation. */
public record Enrolment(String site, Status status, String reason) {
  /** The answer. */
  public enum Status {
    INVITED,
    ACCEPTED,
    DECLINED
  }

  static Enrolment invited(String site) {
    return new Enrolment(site, Status.INVITED, "");
  }
}
