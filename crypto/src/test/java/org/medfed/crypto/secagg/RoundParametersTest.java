package org.medfed.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoundParametersTest {
  private final Quantizer quantizer = Quantizer.withHeadroom(1.0, 10);

  @Test
  void defaultThresholdIsTwoThirdsPlusOneNeverBelowTwo() {
    assertEquals(2, RoundParameters.defaultThreshold(2));
    assertEquals(3, RoundParameters.defaultThreshold(3));
    assertEquals(3, RoundParameters.defaultThreshold(4));
    assertEquals(7, RoundParameters.defaultThreshold(10));
    assertEquals(67, RoundParameters.defaultThreshold(100));
  }

  @Test
  void sitesAreSortedSoEveryPartyAgreesOnShareIndices() {
    RoundParameters p = RoundParameters.of(1, List.of("c", "a", "b"), 4, 1.0);
    assertEquals(List.of("a", "b", "c"), p.sites());
    assertEquals(1, p.indexOf("a"));
    assertEquals(3, p.indexOf("c"));
  }

  @Test
  void refusesThresholdOfOne() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new RoundParameters(
                    1, List.of("a", "b", "c"), 4, 1, quantizer, new MaskingGraph.Complete()));
    assertTrue(e.getMessage().contains("threshold must be in 2..3"), e.getMessage());
  }

  @Test
  void refusesDuplicateOrInvalidSiteIds() {
    assertThrows(
        IllegalArgumentException.class, () -> RoundParameters.of(1, List.of("a", "a"), 4, 1.0));
    assertThrows(
        IllegalArgumentException.class, () -> RoundParameters.of(1, List.of("a", "B!"), 4, 1.0));
  }

  @Test
  void refusesQuantizerWithoutHeadroomForAllSites() {
    Quantizer forTwo = Quantizer.withHeadroom(1.0, 2);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new RoundParameters(
                    1, List.of("a", "b", "c"), 4, 2, forTwo, new MaskingGraph.Complete()));
    assertTrue(e.getMessage().contains("headroom for 2 sites"), e.getMessage());
  }
}
