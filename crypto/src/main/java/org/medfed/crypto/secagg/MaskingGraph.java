package org.medfed.crypto.secagg;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Which pairs of sites mask with each other and hold each other's shares.
 *
 * <p>{@link Complete}: every pair (Bonawitz et al. 2017). {@link Harary}: SecAgg+ (Bell et al.
 * 2020): each site has {@code degree} neighbours in a Harary graph H(degree, n) laid over a
 * permutation of the sites derived from a public round seed, so no site chooses its neighbours.
 * With SecAgg+ the server learns the sum of each connected component of the surviving sites' graph;
 * sites refuse to unmask a component smaller than the threshold.
 */
public sealed interface MaskingGraph {

  /** Every site is every other site's neighbour. */
  record Complete() implements MaskingGraph {}

  /**
   * SecAgg+ neighbourhoods.
   *
   * @param degree neighbours per site, even and at least 2 (checked against n by {@link
   *     RoundParameters})
   * @param roundSeed 32 public random bytes fixed by the coordinator when it opens the round
   */
  record Harary(int degree, byte[] roundSeed) implements MaskingGraph {
    public Harary {
      if (degree < 2 || degree % 2 != 0) {
        throw new IllegalArgumentException("degree must be even and at least 2, got " + degree);
      }
      if (roundSeed == null || roundSeed.length != RoundCrypto.KEY_BYTES) {
        throw new IllegalArgumentException("roundSeed must be " + RoundCrypto.KEY_BYTES + " bytes");
      }
      roundSeed = roundSeed.clone();
    }

    @Override
    public byte[] roundSeed() {
      return roundSeed.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Harary h && h.degree == degree && Arrays.equals(h.roundSeed, roundSeed);
    }

    @Override
    public int hashCode() {
      return 31 * degree + Arrays.hashCode(roundSeed);
    }

    @Override
    public String toString() {
      return "Harary[degree=" + degree + ", roundSeed=" + HexFormat.of().formatHex(roundSeed) + "]";
    }
  }
}
