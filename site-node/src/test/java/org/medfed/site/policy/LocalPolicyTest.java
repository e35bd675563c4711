package org.medfed.site.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalPolicyTest {
  private static final LocalPolicy POLICY =
      new LocalPolicy(Set.of("logistic-regression"), Set.of("age", "sex", "cp", "chol", "num"));

  @Test
  void taskWithinPolicyIsAccepted() {
    assertInstanceOf(
        PolicyDecision.Accept.class,
        POLICY.check("logistic-regression", List.of("age", "cp", "cp", "chol"), "num"));
  }

  @Test
  void disallowedModelTypeIsNamedWithTheAllowedOnes() {
    PolicyDecision d = POLICY.check("neural-net", List.of("age"), "num");
    assertEquals(
        new PolicyDecision.Decline(
            "model type 'neural-net' is not allowed by this "
                + "site's policy (allowed: logistic-regression)"),
        d);
  }

  @Test
  void disallowedFeatureColumnIsNamed() {
    PolicyDecision d = POLICY.check("logistic-regression", List.of("age", "thal"), "num");
    assertEquals(
        "column 'thal' is not allowed by this site's policy (allowed: age, chol, cp, "
            + "num, sex)",
        ((PolicyDecision.Decline) d).reason());
  }

  @Test
  void everyDisallowedColumnIsNamedIncludingTheLabel() {
    PolicyDecision d = POLICY.check("logistic-regression", List.of("thal", "ca", "age"), "death");
    assertEquals(
        "columns 'ca', 'death', 'thal' are not allowed by this site's policy "
            + "(allowed: age, chol, cp, num, sex)",
        ((PolicyDecision.Decline) d).reason());
  }

  @Test
  void indicatorSpellingIsNotACanonicalColumn() {
    // Callers pass "cp" for "cp=2"; anything else is declined rather than guessed at.
    assertInstanceOf(
        PolicyDecision.Decline.class, POLICY.check("logistic-regression", List.of("cp=2"), "num"));
  }

  @Test
  void emptyPolicyAllowsNothing() {
    LocalPolicy none = new LocalPolicy(Set.of(), Set.of());
    assertEquals(
        "model type 'logistic-regression' is not allowed by this site's policy "
            + "(allowed: none)",
        ((PolicyDecision.Decline) none.check("logistic-regression", List.of(), "num")).reason());
  }

  @Test
  void declineNeedsAReason() {
    assertThrows(IllegalArgumentException.class, () -> new PolicyDecision.Decline(" "));
  }
}
