package org.medfed.crypto.secagg;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The neighbour sets of one round's masking graph, computed once from the parameters. */
final class Neighbourhoods {
  private final Map<String, Set<String>> neighbours;

  private Neighbourhoods(Map<String, Set<String>> neighbours) {
    this.neighbours = neighbours;
  }

  static Neighbourhoods of(RoundParameters parameters) {
    List<String> sites = parameters.sites();
    int n = sites.size();
    Map<String, Set<String>> result = new HashMap<>();
    switch (parameters.graph()) {
      case MaskingGraph.Complete complete -> {
        for (String site : sites) {
          Set<String> others = new TreeSet<>(sites);
          others.remove(site);
          result.put(site, Set.copyOf(others));
        }
      }
      case MaskingGraph.Harary harary -> {
        List<String> order = permutation(sites, harary.roundSeed(), parameters.round());
        int half = harary.degree() / 2;
        for (int i = 0; i < n; i++) {
          Set<String> near = new TreeSet<>();
          for (int step = 1; step <= half; step++) {
            near.add(order.get(Math.floorMod(i + step, n)));
            near.add(order.get(Math.floorMod(i - step, n)));
          }
          result.put(order.get(i), Set.copyOf(near));
        }
      }
    }
    return new Neighbourhoods(Map.copyOf(result));
  }

  /** Fisher-Yates driven by AES-CTR keyed from the public seed: every party gets the same order. */
  private static List<String> permutation(List<String> sites, byte[] seed, long round) {
    MaskStream stream =
        new MaskStream(
            RoundCrypto.deriveKey(seed, RoundCrypto.Purpose.GRAPH, round, "graph", "graph"));
    List<String> order = new ArrayList<>(sites);
    for (int i = order.size() - 1; i > 0; i--) {
      int j = uniformBelow(stream, i + 1);
      String swap = order.get(i);
      order.set(i, order.get(j));
      order.set(j, swap);
    }
    return order;
  }

  private static int uniformBelow(MaskStream stream, int bound) {
    long limit = (1L << 32) - ((1L << 32) % bound);
    while (true) {
      long draw = Integer.toUnsignedLong(stream.nextInt());
      if (draw < limit) {
        return (int) (draw % bound);
      }
    }
  }

  /** The site's neighbours (never itself). */
  Set<String> of(String site) {
    return neighbours.get(site);
  }

  /** Who holds shares of {@code site}'s secrets: its neighbours and itself. */
  Set<String> holdersOf(String site) {
    Set<String> holders = new TreeSet<>(neighbours.get(site));
    holders.add(site);
    return holders;
  }

  /**
   * For each site of {@code alive}, the size of its connected component in the graph restricted to
   * {@code alive}; one traversal for all of them.
   */
  Map<String, Integer> componentSizes(Collection<String> alive) {
    Set<String> allowed = new HashSet<>(alive);
    Map<String, Integer> sizes = new HashMap<>();
    for (String start : allowed) {
      if (sizes.containsKey(start)) {
        continue;
      }
      List<String> component = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      Deque<String> queue = new ArrayDeque<>();
      queue.add(start);
      seen.add(start);
      while (!queue.isEmpty()) {
        String site = queue.poll();
        component.add(site);
        for (String next : neighbours.get(site)) {
          if (allowed.contains(next) && seen.add(next)) {
            queue.add(next);
          }
        }
      }
      for (String site : component) {
        sizes.put(site, component.size());
      }
    }
    return sizes;
  }
}
