package org.medfed.crypto.secagg;

/** The phase a party is in: which message it accepts or produces next. */
public enum Phase {
  /** Round 0: each site advertises two signed X25519 public keys. */
  ADVERTISE_KEYS,
  /** Round 1: each site sends Shamir shares of its secrets, encrypted to every other site. */
  SHARE_KEYS,
  /** Round 2: each site sends its quantised update plus self and pairwise masks. */
  MASKED_INPUT,
  /** Round 3 (Bonawitz round 4): survivors reveal the shares needed to remove the masks. */
  UNMASKING,
  /** The sum was produced (server) or the site's part is done (client). */
  FINISHED,
  /** The round failed; nothing more is accepted or revealed. */
  FAILED
}
