package org.medfed.crypto.pki;

import java.util.regex.Pattern;

/** Naming rules shared by issuance and identity checks, so both accept exactly the same names. */
final class Names {
  static final String SITE_ID_RULE =
      "a lowercase letter or digit followed by up to 62 lowercase letters, digits or hyphens";

  /** Lowercase DNS-label-like ids: safe as directory names, URN parts and log keys. */
  private static final Pattern SITE_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** RFC 5280 ub-common-name: longer CNs are rejected by some TLS stacks. */
  static final int MAX_COMMON_NAME = 64;

  private Names() {}

  static boolean isValidSiteId(String siteId) {
    return siteId != null && SITE_ID.matcher(siteId).matches();
  }

  static String requireSiteId(String siteId) {
    if (!isValidSiteId(siteId)) {
      throw new IllegalArgumentException(
          "invalid site id \"" + siteId + "\": must be " + SITE_ID_RULE);
    }
    return siteId;
  }

  /** Non-blank, printable, and short enough to be a common name. */
  static String requireCommonName(String what, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    if (value.length() > MAX_COMMON_NAME) {
      throw new IllegalArgumentException(
          what + " \"" + value + "\" is longer than " + MAX_COMMON_NAME + " characters");
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(what + " must not contain control characters");
    }
    return value;
  }
}
