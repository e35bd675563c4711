package org.medfed.crypto.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.KeyPair;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class CertificateRequestProperties {
  private static final KeyPair KEYS = CertificateRequest.generateKeyPair();
  private static final byte[] VALID = CertificateRequest.create("charite", KEYS).encoded();

  @Property
  void arbitraryBytesAreRefusedOnlyWithPkiException(@ForAll byte[] bytes) {
    try {
      CertificateRequest.parse(bytes);
    } catch (PkiException expected) {
      // the only way to refuse
    }
  }

  /**
   * Changing one byte of a signed request never yields a request for another site or key: the
   * change is refused, or it did not touch what the signature covers.
   */
  @Property
  void oneChangedByteNeverYieldsAnotherSiteOrKey(
      @ForAll @IntRange(min = 0, max = 10_000) int position, @ForAll byte delta) {
    if (delta == 0) {
      return;
    }
    byte[] der = VALID.clone();
    der[position % der.length] ^= delta;
    CertificateRequest parsed;
    try {
      parsed = CertificateRequest.parse(der);
    } catch (PkiException refused) {
      return;
    }
    assertEquals("charite", parsed.siteId());
    assertArrayEquals(KEYS.getPublic().getEncoded(), parsed.publicKey().getEncoded());
  }
}
