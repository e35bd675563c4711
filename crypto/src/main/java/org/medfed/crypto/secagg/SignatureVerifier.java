package org.medfed.crypto.secagg;

/**
 * Verifies a signature by a site's identity key, looked up from the site's certificate. Returns
 * false for an unknown site or a malformed signature; never throws for bad input.
 */
@FunctionalInterface
public interface SignatureVerifier {
  boolean verify(String siteId, byte[] message, byte[] signature);
}
