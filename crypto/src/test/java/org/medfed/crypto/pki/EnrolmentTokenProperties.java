package org.medfed.crypto.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.security.SecureRandom;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class EnrolmentTokenProperties {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Provide
  Arbitrary<String> siteIds() {
    return Arbitraries.strings()
        .withChars("abcdefghijklmnopqrstuvwxyz0123456789-")
        .ofMinLength(1)
        .ofMaxLength(63)
        .filter(Names::isValidSiteId);
  }

  @Property
  void anyTextEitherParsesOrIsRefusedWithPkiException(@ForAll String text) {
    try {
      EnrolmentToken.parse(text);
    } catch (PkiException expected) {
      // the only way to refuse
    }
  }

  @Property
  void generatedTokensRoundTrip(
      @ForAll("siteIds") String site, @ForAll @LongRange(min = 0, max = 99_999_999_999L) long exp)
      throws Exception {
    EnrolmentToken token = EnrolmentToken.generate(site, Instant.ofEpochSecond(exp), RANDOM);
    EnrolmentToken parsed = EnrolmentToken.parse(token.reveal());
    assertEquals(site, parsed.siteId());
    assertEquals(exp, parsed.expiresAt().getEpochSecond());
    assertEquals(token.digest(), parsed.digest());
    assertEquals(token.digest(), EnrolmentToken.Digest.parse(token.digest().encode()));
  }

  /** Changing any one character gives either no token or a token that is not the issued one. */
  @Property
  void anyOneCharacterChangeBreaksTheToken(
      @ForAll("siteIds") String site,
      @ForAll @IntRange(min = 0, max = 200) int position,
      @ForAll char replacement)
      throws Exception {
    EnrolmentToken token =
        EnrolmentToken.generate(site, Instant.ofEpochSecond(2_000_000_000L), RANDOM);
    String text = token.reveal();
    int at = position % text.length();
    if (text.charAt(at) == replacement) {
      return;
    }
    String changed = text.substring(0, at) + replacement + text.substring(at + 1);
    EnrolmentToken parsed;
    try {
      parsed = EnrolmentToken.parse(changed);
    } catch (PkiException refused) {
      return;
    }
    assertFalse(token.digest().matches(parsed));
  }
}
