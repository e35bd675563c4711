package org.medfed.auditor;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.medfed.auditor.LogAuditor.AuditedEntry;
import org.medfed.crypto.merkle.LogKeyVerifier;
import org.medfed.crypto.pki.CertificateCheck;
import org.medfed.crypto.pki.PartyIdentity;
import org.medfed.crypto.pki.PartyRole;
import org.medfed.crypto.pki.PkiException;
import org.medfed.crypto.sign.MessageStatement;
import org.medfed.crypto.sign.Verifier;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.SiteCertified;
import org.medfed.proto.v1.SiteRevoked;

/**
 * {@code sender-signatures}: every message a site sent is the site's own word, under the latest
 * certificate the log recorded for it (a SiteCertified decision before the message) — a certificate
 * the consortium CA issued to that site and valid when it was logged. An accepted message without a
 * signature fails; a refused one may lack it (it was refused before the coordinator acted on it)
 * but, if it carries one, it must be authenticated like any other.
 *
 * <p>A site signs a statement that names the SHA-256 of its previous logged statement ({@link
 * MessageStatement}), so its statements form a hash chain and one signature vouches for every
 * statement before it. An entry is authenticated when its own signature verifies, or when a later
 * authenticated entry of the same site names its statement as {@code previous}. Walking each site's
 * entries from the newest, only the entries that nothing authenticated vouches for (chain tips,
 * fork branches, the last entry before a site lost its state) need their signature verified: a few
 * per site instead of one per message. A signature made with a certificate that the log had already
 * revoked (a SiteRevoked before the entry, or dated at or before it) vouches for nothing but its
 * own entry, so a revoked key cannot adopt messages it did not sign while it was trusted. An
 * authenticated entry whose {@code previous} names no earlier statement of its site fails: the site
 * was told that statement was logged, so the log lost an entry (or this one was altered).
 *
 * <p>The signatures that must be verified are verified on all cores.
 */
final class SenderSignatureCheck {
  static final String NAME = "sender-signatures";

  private SenderSignatureCheck() {}

  static CheckResult run(List<AuditedEntry> entries, X509Certificate ca, String coordinator) {
    List<Finding> failures = new ArrayList<>();
    Revocations revocations = Revocations.of(entries);
    Map<String, SiteKey> current = new HashMap<>();
    List<Signed> signed = new ArrayList<>();
    int certificates = 0;
    for (AuditedEntry audited : entries) {
      LogEntry entry = audited.entry();
      if (entry.hasDecision() && entry.getDecision().hasSiteCertified()) {
        SiteCertified certified = entry.getDecision().getSiteCertified();
        certificates++;
        try {
          current.put(
              certified.getSite(),
              certify(certified, ca, Instant.ofEpochMilli(entry.getTimeUnixMillis())));
        } catch (GeneralSecurityException e) {
          current.remove(certified.getSite());
          failures.add(
              audited.finding(
                  "the certificate logged for site \""
                      + certified.getSite()
                      + "\" is refused: "
                      + e.getMessage()));
        }
        continue;
      }
      if (!entry.hasMessage() || entry.getMessage().getSender().equals(coordinator)) {
        continue;
      }
      ExchangedMessage message = entry.getMessage();
      if (message.getSenderSignature().isEmpty()) {
        if (message.getOutcome().equals("accepted")) {
          failures.add(
              audited.finding(
                  message.getRpc() + " from " + message.getSender() + " is accepted but unsigned"));
        }
        continue;
      }
      if (message.getPayloadSha256().size() != MessageStatement.HASH_BYTES
          || message.getPreviousStatementSha256().size() != MessageStatement.HASH_BYTES
          || message.getRpc().indexOf('\n') >= 0) {
        failures.add(
            audited.finding(
                message.getRpc()
                    + " from "
                    + message.getSender()
                    + " is signed, but its payload digest and previous statement are not the two"
                    + " 32-byte hashes of a medfed-message-v2 statement"));
        continue;
      }
      SiteKey key = current.get(message.getSender());
      if (key == null) {
        failures.add(
            audited.finding(
                message.getRpc()
                    + " from "
                    + message.getSender()
                    + " is signed, but no valid certificate of that site was logged before it"));
      }
      signed.add(
          new Signed(
              audited,
              key,
              key != null && !revocations.before(message.getSender(), key.serial(), audited)));
    }
    Chains chains = new Chains(signed);
    failures.addAll(chains.authenticate());
    failures.sort(Comparator.comparing(f -> f.entryIndex() == null ? -1 : f.entryIndex()));
    return CheckResult.of(
        NAME,
        chains.direct
            + chains.byChain
            + " site messages authenticated: "
            + chains.direct
            + " by their own signature, "
            + chains.byChain
            + " by a later signature of their site's chain; "
            + certificates
            + " site certificates checked against the consortium CA",
        failures,
        List.of());
  }

  private static SiteKey certify(SiteCertified certified, X509Certificate ca, Instant at)
      throws GeneralSecurityException {
    X509Certificate certificate =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new ByteArrayInputStream(certified.getCertificate().toByteArray()));
    PartyIdentity identity = CertificateCheck.verify(certificate, ca, at);
    if (identity.role() != PartyRole.SITE || !identity.name().equals(certified.getSite())) {
      throw new PkiException(
          "it names " + identity.role() + " \"" + identity.name() + "\", not this site");
    }
    // Answers exactly as Signatures.verifier(certificate); reuses the key's precomputed tables
    // across all of the site's messages.
    return new SiteKey(LogKeyVerifier.forCertificate(certificate), certificate.getSerialNumber());
  }

  /** A site's certificate as the log recorded it: its verifier and serial number. */
  private record SiteKey(Verifier verifier, BigInteger serial) {}

  /** A signed site message: its entry, the key it must verify under, whether it may vouch. */
  private record Signed(AuditedEntry audited, SiteKey key, boolean mayVouch) {
    ExchangedMessage message() {
      return audited.entry().getMessage();
    }

    String site() {
      return message().getSender();
    }

    byte[] statement() {
      return MessageStatement.of(
          message().getRpc(),
          message().getPayloadSha256().toByteArray(),
          message().getPreviousStatementSha256().toByteArray());
    }

    boolean verify() {
      return key.verifier().verify(message().getSenderSignature().toByteArray(), statement());
    }
  }

  /** The sites' hash chains over the signed messages, in log order. */
  private static final class Chains {
    private static final Link NO_PREVIOUS = Link.of(MessageStatement.noPrevious());
    private static final int NONE = -1;
    private static final int HASHING_BATCH = 4096;

    private final List<Signed> signed;
    private final Link[] previous;
    // The latest earlier message of the same site whose statement previous[i] names, or NONE.
    private final int[] named;
    private final Boolean[] verified;
    private int direct;
    private int byChain;

    Chains(List<Signed> signed) {
      this.signed = signed;
      int n = signed.size();
      Link[] self = new Link[n];
      previous = new Link[n];
      // A SHA-256 per message: independent, so on all cores, one digest object per batch.
      IntStream.range(0, (n + HASHING_BATCH - 1) / HASHING_BATCH)
          .parallel()
          .forEach(
              batch -> {
                MessageDigest sha256 = sha256();
                for (int i = batch * HASHING_BATCH;
                    i < Math.min(n, (batch + 1) * HASHING_BATCH);
                    i++) {
                  self[i] = Link.of(sha256.digest(signed.get(i).statement()));
                  previous[i] =
                      Link.of(signed.get(i).message().getPreviousStatementSha256().toByteArray());
                }
              });
      named = new int[n];
      verified = new Boolean[n];
      // Almost every message names its site's message just before it, so an index of every
      // statement is built only at the first one that does not (a fork, or a gap).
      Map<String, Integer> latestOfSite = new HashMap<>();
      Map<String, Map<Link, Integer>> statements = null;
      for (int i = 0; i < n; i++) {
        String site = signed.get(i).site();
        Integer latest = latestOfSite.put(site, i);
        if (previous[i].equals(NO_PREVIOUS)) {
          named[i] = NONE;
        } else if (latest != null && self[latest].equals(previous[i])) {
          named[i] = latest;
        } else {
          if (statements == null) {
            statements = index(self, i);
          }
          named[i] = statements.getOrDefault(site, Map.of()).getOrDefault(previous[i], NONE);
        }
        if (statements != null) {
          statements.computeIfAbsent(site, s -> new HashMap<>()).put(self[i], i);
        }
      }
    }

    /** Each site's statements among the first {@code count} messages, by link: the latest one. */
    private Map<String, Map<Link, Integer>> index(Link[] self, int count) {
      Map<String, Map<Link, Integer>> statements = new HashMap<>();
      for (int j = 0; j < count; j++) {
        statements.computeIfAbsent(signed.get(j).site(), s -> new HashMap<>()).put(self[j], j);
      }
      return statements;
    }

    /** Authenticates every signed message and returns the failures. */
    List<Finding> authenticate() {
      // First, optimistically (every signature that must be verified is assumed valid), find the
      // signatures to verify and verify them on all cores; then walk again exactly, verifying
      // in line only what an invalid signature left without a voucher (only in a failing log).
      List<Integer> pending = new ArrayList<>();
      walk(pending);
      pending.parallelStream().forEach(i -> verified[i] = signed.get(i).verify());
      boolean[] authenticated = walk(null);
      List<Finding> failures = new ArrayList<>();
      for (int i = 0; i < signed.size(); i++) {
        Signed message = signed.get(i);
        if (message.key() != null && !authenticated[i]) {
          failures.add(
              message
                  .audited()
                  .finding(
                      message.message().getRpc()
                          + " from "
                          + message.site()
                          + ": the signature does not match its statement under the site's"
                          + " certificate, and no later authenticated message of the site names"
                          + " it as previous"));
        } else if (authenticated[i] && named[i] == NONE && !previous[i].equals(NO_PREVIOUS)) {
          failures.add(
              message
                  .audited()
                  .finding(
                      message.message().getRpc()
                          + " from "
                          + message.site()
                          + " names as previous the statement "
                          + previous[i].prefix()
                          + "…, which no earlier message of the site in the log has: an entry the"
                          + " site was told is logged is missing, or was altered"));
        }
      }
      return failures;
    }

    /**
     * Walks the messages from the newest: a message is authenticated by chain if a later
     * authenticated message of its site that may vouch names its statement, else by its own
     * signature. With {@code pending}, collects the signatures still to verify and assumes them
     * valid; without, verifies any left in line and counts.
     */
    private boolean[] walk(List<Integer> pending) {
      int n = signed.size();
      boolean[] authenticated = new boolean[n];
      boolean[] vouched = new boolean[n];
      direct = 0;
      byChain = 0;
      for (int i = n - 1; i >= 0; i--) {
        Signed message = signed.get(i);
        if (message.key() == null) {
          continue;
        }
        boolean ok;
        if (vouched[i]) {
          ok = true;
          byChain++;
        } else if (verified[i] != null) {
          ok = verified[i];
          direct += ok ? 1 : 0;
        } else if (pending != null) {
          pending.add(i);
          ok = true;
        } else {
          verified[i] = message.verify();
          ok = verified[i];
          direct += ok ? 1 : 0;
        }
        authenticated[i] = ok;
        if (ok && message.mayVouch() && named[i] != NONE) {
          // An earlier message with the very same statement (a resend) is not vouched for: its
          // own signature is verified instead, which costs one verification and is never weaker.
          vouched[named[i]] = true;
        }
      }
      return authenticated;
    }

    private static MessageDigest sha256() {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java platform must provide SHA-256", e);
      }
    }
  }

  /** A 32-byte hash as a map key. */
  private record Link(long a, long b, long c, long d) {
    static Link of(byte[] hash) {
      ByteBuffer buffer = ByteBuffer.wrap(hash);
      return new Link(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong());
    }

    String prefix() {
      return HexFormat.of().toHexDigits(a);
    }

    @Override
    public int hashCode() {
      // SHA-256 output: any 32 of its bits are uniformly distributed.
      return (int) a;
    }
  }

  /**
   * The revocations the log records, by site and serial: when each was logged (entry index) and the
   * date the CA gave it. A certificate counts as revoked for an entry from whichever is first.
   */
  private record Revocations(Map<String, Map<BigInteger, long[]>> bySite) {
    static Revocations of(List<AuditedEntry> entries) {
      Map<String, Map<BigInteger, long[]>> bySite = new HashMap<>();
      for (AuditedEntry audited : entries) {
        LogEntry entry = audited.entry();
        if (!entry.hasDecision() || !entry.getDecision().hasSiteRevoked()) {
          continue;
        }
        SiteRevoked revoked = entry.getDecision().getSiteRevoked();
        BigInteger serial;
        try {
          serial = new BigInteger(revoked.getCertificateSerial(), 16);
        } catch (NumberFormatException e) {
          continue; // the protocol check reports a malformed serial
        }
        bySite
            .computeIfAbsent(revoked.getSite(), s -> new HashMap<>())
            .merge(
                serial,
                new long[] {audited.index(), revoked.getRevokedAtUnixMillis()},
                (a, b) -> new long[] {Math.min(a[0], b[0]), Math.min(a[1], b[1])});
      }
      return new Revocations(bySite);
    }

    /** Whether the site's certificate {@code serial} was revoked before {@code audited}. */
    boolean before(String site, BigInteger serial, AuditedEntry audited) {
      long[] revoked = bySite.getOrDefault(site, Map.of()).get(serial);
      return revoked != null
          && (revoked[0] < audited.index() || revoked[1] <= audited.entry().getTimeUnixMillis());
    }
  }
}
