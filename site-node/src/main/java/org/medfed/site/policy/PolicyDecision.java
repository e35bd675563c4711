package org.medfed.site.policy;

/** Whether a site agrees to take part in a training task. */
public sealed interface PolicyDecision permits PolicyDecision.Accept, PolicyDecision.Decline {

  /** The task is within the site's policy. */
  record Accept() implements PolicyDecision {}

  /**
   * The task is outside the site's policy.
   *
   * @param reason one sentence naming the offending model type or columns, safe to send to the
   *     coordinator
   */
  record Decline(String reason) implements PolicyDecision {
    public Decline {
      if (reason == null || reason.isBlank()) {
        throw new IllegalArgumentException("a decline needs a reason");
      }
    }
  }
}
