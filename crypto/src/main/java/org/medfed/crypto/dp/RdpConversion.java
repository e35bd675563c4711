package org.medfed.crypto.dp;

/** How a Rényi DP curve is turned into an (epsilon, delta) guarantee. */
public enum RdpConversion {
  /**
   * {@code epsilon = RDP(alpha) + log(1/delta) / (alpha - 1)} (Mironov 2017, proposition 3), as
   * TF-Privacy's original {@code get_privacy_spent}.
   */
  CLASSIC,

  /**
   * {@code epsilon = RDP(alpha) + log((alpha - 1)/alpha) - (log delta + log alpha) / (alpha - 1)}
   * (Balle, Barthe, Gaboardi, Hsu and Sato 2020, theorem 21), as Opacus's {@code
   * get_privacy_spent}; never looser than {@link #CLASSIC}.
   */
  BALLE_2020
}
