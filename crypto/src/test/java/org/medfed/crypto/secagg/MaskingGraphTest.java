package org.medfed.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MaskingGraphTest {
  private final List<String> sites = SimulatedFederation.siteIds(20);
  private final Quantizer quantizer = Quantizer.withHeadroom(1.0, 20);

  private Map<String, Set<String>> neighbours(MaskingGraph graph) {
    RoundParameters parameters = new RoundParameters(1, sites, 4, 3, quantizer, graph);
    Neighbourhoods neighbourhoods = Neighbourhoods.of(parameters);
    Map<String, Set<String>> out = new HashMap<>();
    for (String site : sites) {
      out.put(site, neighbourhoods.of(site));
    }
    return out;
  }

  private static byte[] seed(int value) {
    byte[] seed = new byte[32];
    seed[0] = (byte) value;
    return seed;
  }

  @Test
  void completeGraphMakesEveryOtherSiteANeighbour() {
    Map<String, Set<String>> graph = neighbours(new MaskingGraph.Complete());
    for (String site : sites) {
      assertEquals(19, graph.get(site).size());
      assertFalse(graph.get(site).contains(site));
    }
  }

  @Test
  void componentSizesCountTheSurvivorsEachSiteIsConnectedTo() {
    RoundParameters parameters =
        new RoundParameters(1, sites, 4, 3, quantizer, new MaskingGraph.Harary(2, seed(3)));
    Neighbourhoods graph = Neighbourhoods.of(parameters);
    // Degree 2 is a ring over a permutation of the sites: walk it to recover the order.
    List<String> ring = new ArrayList<>(List.of(sites.get(0)));
    while (ring.size() < sites.size()) {
      String last = ring.get(ring.size() - 1);
      ring.add(graph.of(last).stream().filter(s -> !ring.contains(s)).findFirst().orElseThrow());
    }
    List<String> alive = new ArrayList<>(ring);
    alive.remove(ring.get(5));
    alive.remove(ring.get(12));
    Map<String, Integer> sizes = graph.componentSizes(alive);
    assertEquals(alive.size(), sizes.size());
    for (int i = 0; i < ring.size(); i++) {
      if (i != 5 && i != 12) {
        assertEquals(i > 5 && i < 12 ? 6 : 12, sizes.get(ring.get(i)), ring.get(i));
      }
    }
    Neighbourhoods complete =
        Neighbourhoods.of(
            new RoundParameters(1, sites, 4, 3, quantizer, new MaskingGraph.Complete()));
    assertEquals(
        Map.of(sites.get(1), 2, sites.get(7), 2),
        complete.componentSizes(List.of(sites.get(1), sites.get(7))));
  }

  @Test
  void hararyGraphIsRegularAndSymmetric() {
    Map<String, Set<String>> graph = neighbours(new MaskingGraph.Harary(4, seed(1)));
    for (String site : sites) {
      assertEquals(4, graph.get(site).size(), site);
      assertFalse(graph.get(site).contains(site));
      for (String neighbour : graph.get(site)) {
        assertTrue(graph.get(neighbour).contains(site), site + " - " + neighbour);
      }
    }
  }

  @Test
  void hararyGraphIsFixedByThePublicSeed() {
    assertEquals(
        neighbours(new MaskingGraph.Harary(4, seed(1))),
        neighbours(new MaskingGraph.Harary(4, seed(1))));
    assertNotEquals(
        neighbours(new MaskingGraph.Harary(4, seed(1))),
        neighbours(new MaskingGraph.Harary(4, seed(2))));
  }

  @Test
  void secAggPlusRefusesThresholdAboveNeighbourhoodAndDegreeNotBelowSites() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new RoundParameters(1, sites, 4, 6, quantizer, new MaskingGraph.Harary(4, seed(1))));
    assertThrows(
        IllegalArgumentException.class,
        () -> new RoundParameters(1, sites, 4, 3, quantizer, new MaskingGraph.Harary(20, seed(1))));
    assertThrows(IllegalArgumentException.class, () -> new MaskingGraph.Harary(3, seed(1)));
  }
}
