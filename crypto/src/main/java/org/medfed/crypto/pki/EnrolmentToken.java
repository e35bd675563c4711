package org.medfed.crypto.pki;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A one-time enrolment token: lets a new site get its first certificate without a key ever leaving
 * the site. The token names the site and its expiry in clear and carries 256 random bits, so the
 * site learns its own id from it, and the consortium keeps only its {@link Digest}.
 *
 * <p>Text form: {@code mfe1.<site id>.<expiry, Unix seconds>.<32 random bytes, base64url without
 * padding>}. The digest covers the whole text, so changing the site or the expiry of a token makes
 * it a token nobody issued. {@link #toString} never shows the secret.
 */
public final class EnrolmentToken {
  static final String PREFIX = "mfe1";
  private static final int SECRET_BYTES = 32;
  private static final int SECRET_CHARS = 43; // base64url of 32 bytes, no padding
  private static final int MAX_TEXT = 160;
  private static final Pattern FORM =
      Pattern.compile(
          Pattern.quote(PREFIX)
              + "\\.([a-z0-9][a-z0-9-]{0,62})\\.([0-9]{1,12})\\.([A-Za-z0-9_-]{"
              + SECRET_CHARS
              + "})");

  private final String siteId;
  private final Instant expiresAt;
  private final String text;

  private EnrolmentToken(String siteId, Instant expiresAt, String text) {
    this.siteId = siteId;
    this.expiresAt = expiresAt;
    this.text = text;
  }

  /**
   * Draws a new token for the site, valid until {@code expiresAt} (cut to whole seconds).
   *
   * @throws IllegalArgumentException if the site id breaks the site id rule
   */
  public static EnrolmentToken generate(String siteId, Instant expiresAt, SecureRandom random) {
    Names.requireSiteId(siteId);
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(random, "random");
    if (expiresAt.getEpochSecond() < 0) {
      throw new IllegalArgumentException("token expiry must be after 1970, was " + expiresAt);
    }
    byte[] secret = new byte[SECRET_BYTES];
    random.nextBytes(secret);
    Instant expiry = Instant.ofEpochSecond(expiresAt.getEpochSecond());
    String text =
        PREFIX
            + "."
            + siteId
            + "."
            + expiry.getEpochSecond()
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    return new EnrolmentToken(siteId, expiry, text);
  }

  /**
   * Reads a token as a site operator pasted it (surrounding white space is ignored).
   *
   * @throws PkiException if the text is not a MedFed enrolment token
   */
  public static EnrolmentToken parse(String text) throws PkiException {
    if (text == null) {
      throw new PkiException("no enrolment token given");
    }
    String stripped = text.strip();
    if (stripped.length() > MAX_TEXT) {
      throw new PkiException(
          "the enrolment token is " + stripped.length() + " characters long, too long to be one");
    }
    Matcher matcher = FORM.matcher(stripped);
    if (!matcher.matches()) {
      throw new PkiException(
          "the enrolment token is malformed: expected "
              + PREFIX
              + ".<site id>.<expiry>.<43 base64url characters>");
    }
    // 43 base64url characters hold 258 bits; the last two must be zero for a 32-byte secret.
    byte[] secret;
    try {
      secret = Base64.getUrlDecoder().decode(matcher.group(3));
    } catch (IllegalArgumentException e) {
      throw new PkiException("the enrolment token's secret is not base64url", e);
    }
    String canonical = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    if (secret.length != SECRET_BYTES || !canonical.equals(matcher.group(3))) {
      throw new PkiException("the enrolment token's secret is not 32 bytes of base64url");
    }
    return new EnrolmentToken(
        matcher.group(1), Instant.ofEpochSecond(Long.parseLong(matcher.group(2))), stripped);
  }

  /** The site this token enrols. */
  public String siteId() {
    return siteId;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  /** The token text, to hand to the site once over a channel the consortium trusts. */
  public String reveal() {
    return text;
  }

  /** What the consortium keeps instead of the token. */
  public Digest digest() {
    return new Digest(siteId, expiresAt, hash(text));
  }

  @Override
  public String toString() {
    return "EnrolmentToken[site=" + siteId + ", expiresAt=" + expiresAt + ", secret=<redacted>]";
  }

  private static byte[] hash(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  /**
   * The stored form of a token: its site, its expiry and the SHA-256 of its text. It cannot be
   * turned back into the token, so the consortium directory leaks nothing that enrols a site.
   *
   * <p>Line form: {@code mfe1-sha256 <site id> <expiry, Unix seconds> <64 hex digits>}.
   */
  public record Digest(String siteId, Instant expiresAt, byte[] sha256) {
    private static final Pattern LINE =
        Pattern.compile(
            Pattern.quote(PREFIX)
                + "-sha256 ([a-z0-9][a-z0-9-]{0,62}) ([0-9]{1,12}) ([0-9a-f]{64})");

    public Digest {
      Names.requireSiteId(siteId);
      Objects.requireNonNull(expiresAt, "expiresAt");
      Objects.requireNonNull(sha256, "sha256");
      if (sha256.length != 32) {
        throw new IllegalArgumentException("a token digest is 32 bytes, got " + sha256.length);
      }
      sha256 = sha256.clone();
    }

    @Override
    public byte[] sha256() {
      return sha256.clone();
    }

    /** One line, without a line break. */
    public String encode() {
      return PREFIX
          + "-sha256 "
          + siteId
          + " "
          + expiresAt.getEpochSecond()
          + " "
          + HexFormat.of().formatHex(sha256);
    }

    /**
     * Reads a line written by {@link #encode}.
     *
     * @throws PkiException if the line is not a token digest
     */
    public static Digest parse(String line) throws PkiException {
      Matcher matcher = LINE.matcher(line == null ? "" : line.strip());
      if (!matcher.matches()) {
        throw new PkiException("not an enrolment token digest line: expected " + LINE.pattern());
      }
      return new Digest(
          matcher.group(1),
          Instant.ofEpochSecond(Long.parseLong(matcher.group(2))),
          HexFormat.of().parseHex(matcher.group(3)));
    }

    /** Whether the token is the one this digest was made from (constant-time comparison). */
    public boolean matches(EnrolmentToken token) {
      Objects.requireNonNull(token, "token");
      return MessageDigest.isEqual(sha256, hash(token.text));
    }

    /**
     * Checks a presented token against this digest at time {@code now}: the token must be the one
     * issued for this digest's site and must not have expired.
     *
     * @throws PkiException naming the reason: the token is for another site, is not the token
     *     issued (altered or replaced), or has expired
     */
    public void verify(EnrolmentToken token, Instant now) throws PkiException {
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(now, "now");
      if (!token.siteId.equals(siteId)) {
        throw new PkiException(
            "the enrolment token was issued for site \""
                + token.siteId
                + "\", not for site \""
                + siteId
                + "\"");
      }
      if (!matches(token)) {
        throw new PkiException(
            "the enrolment token is not the one issued for site \""
                + siteId
                + "\" (it was altered, or replaced by a newer token)");
      }
      if (!now.isBefore(expiresAt)) {
        throw new PkiException(
            "the enrolment token for site \"" + siteId + "\" expired at " + expiresAt);
      }
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Digest d
          && d.siteId.equals(siteId)
          && d.expiresAt.equals(expiresAt)
          && MessageDigest.isEqual(d.sha256, sha256);
    }

    @Override
    public int hashCode() {
      return Objects.hash(siteId, expiresAt, Arrays.hashCode(sha256));
    }

    @Override
    public String toString() {
      return "EnrolmentToken.Digest[" + encode() + "]";
    }
  }
}
