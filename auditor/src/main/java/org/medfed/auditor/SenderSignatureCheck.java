package org.medfed.auditor;

import java.io.ByteArrayInputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.security.DigestException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * <p>Entries stream past once, in log order; per signed message the check keeps only what the
 * chains need (its site, RPC, time, key and the two hashes of its statement), and reads again from
 * the file the few entries whose signature it must verify. The statements are hashed, and the
 * signatures that must be verified are verified, on all cores.
 */
final class SenderSignatureCheck {
  static final String NAME = "sender-signatures";
  private static final int NONE = -1;
  private static final int HASHING_BATCH = 4096;
  private static final int LINK_LONGS = MessageStatement.HASH_BYTES / Long.BYTES;
  private static final VarHandle BIG_ENDIAN_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private final X509Certificate ca;
  private final String coordinator;
  private final FramedLog log;
  private final List<Finding> failures = new ArrayList<>();
  private final Map<String, SiteKey> current = new HashMap<>();
  private final Map<String, Map<BigInteger, long[]>> revocations = new HashMap<>();
  private final Names sites = new Names();
  private final Names rpcs = new Names();
  private final Signed signed;
  private int certificates;

  /**
   * @param log the file the entries come from, to read again those whose signature is verified
   */
  SenderSignatureCheck(X509Certificate ca, String coordinator, FramedLog log) {
    this.ca = ca;
    this.coordinator = coordinator;
    this.log = log;
    // Nearly every entry of a real log is a signed site message: room for all of them at once,
    // where growing by doubling would copy the columns over and over; bounded, because a file of
    // tiny records holds far more records than signed messages.
    this.signed = new Signed(Math.clamp(log.count(), 1024, 1 << 22));
  }

  /** Takes the log's next entry (entries come in log order). */
  void accept(AuditedEntry audited) {
    LogEntry entry = audited.entry();
    if (entry.hasDecision()) {
      if (entry.getDecision().hasSiteCertified()) {
        certified(audited, entry.getDecision().getSiteCertified());
      } else if (entry.getDecision().hasSiteRevoked()) {
        revoked(audited, entry.getDecision().getSiteRevoked());
      }
      return;
    }
    if (!entry.hasMessage() || entry.getMessage().getSender().equals(coordinator)) {
      return;
    }
    ExchangedMessage message = entry.getMessage();
    if (message.getSenderSignature().isEmpty()) {
      if (message.getOutcome().equals("accepted")) {
        failures.add(
            audited.finding(
                message.getRpc() + " from " + message.getSender() + " is accepted but unsigned"));
      }
      return;
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
      return;
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
    signed.add(audited, sites.id(message.getSender()), rpcs.id(message.getRpc()), key);
  }

  private void certified(AuditedEntry audited, SiteCertified certified) {
    certificates++;
    try {
      current.put(
          certified.getSite(),
          certify(certified, ca, Instant.ofEpochMilli(audited.entry().getTimeUnixMillis())));
    } catch (GeneralSecurityException e) {
      current.remove(certified.getSite());
      failures.add(
          audited.finding(
              "the certificate logged for site \""
                  + certified.getSite()
                  + "\" is refused: "
                  + e.getMessage()));
    }
  }

  /**
   * Notes when a certificate was revoked, by site and serial: the entry index and the date the CA
   * gave it. A certificate counts as revoked for an entry from whichever is first.
   */
  private void revoked(AuditedEntry audited, SiteRevoked revoked) {
    BigInteger serial;
    try {
      serial = new BigInteger(revoked.getCertificateSerial(), 16);
    } catch (NumberFormatException e) {
      return; // the protocol check reports a malformed serial
    }
    revocations
        .computeIfAbsent(revoked.getSite(), s -> new HashMap<>())
        .merge(
            serial,
            new long[] {audited.index(), revoked.getRevokedAtUnixMillis()},
            (a, b) -> new long[] {Math.min(a[0], b[0]), Math.min(a[1], b[1])});
  }

  /** The result, once every entry has been accepted. */
  CheckResult result() {
    Chains chains = new Chains();
    List<Finding> all = new ArrayList<>(failures);
    all.addAll(chains.authenticate());
    all.sort(Comparator.comparing(f -> f.entryIndex() == null ? -1 : f.entryIndex()));
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
        all,
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

  /** Small numbers for the few distinct strings a million entries repeat. */
  private static final class Names {
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> names = new ArrayList<>();

    int id(String name) {
      Integer id = ids.get(name);
      if (id == null) {
        id = names.size();
        ids.put(name, id);
        names.add(name);
      }
      return id;
    }

    String name(int id) {
      return names.get(id);
    }
  }

  /**
   * The signed site messages, in log order, as columns: entry index and offset, site, RPC, time,
   * key, and the payload digest and previous link of the statement.
   */
  private static final class Signed {
    private int size;
    private int[] index;
    private long[] offset;
    private int[] site;
    private int[] rpc;
    private long[] time;
    private SiteKey[] key;
    private byte[] payload;
    private byte[] previous;

    Signed(int capacity) {
      index = new int[capacity];
      offset = new long[capacity];
      site = new int[capacity];
      rpc = new int[capacity];
      time = new long[capacity];
      key = new SiteKey[capacity];
      payload = new byte[capacity * MessageStatement.HASH_BYTES];
      previous = new byte[capacity * MessageStatement.HASH_BYTES];
    }

    void add(AuditedEntry audited, int siteId, int rpcId, SiteKey siteKey) {
      if (size == index.length) {
        int grown = 2 * size;
        index = Arrays.copyOf(index, grown);
        offset = Arrays.copyOf(offset, grown);
        site = Arrays.copyOf(site, grown);
        rpc = Arrays.copyOf(rpc, grown);
        time = Arrays.copyOf(time, grown);
        key = Arrays.copyOf(key, grown);
        payload = Arrays.copyOf(payload, grown * MessageStatement.HASH_BYTES);
        previous = Arrays.copyOf(previous, grown * MessageStatement.HASH_BYTES);
      }
      ExchangedMessage message = audited.entry().getMessage();
      index[size] = Math.toIntExact(audited.index());
      offset[size] = audited.offset();
      site[size] = siteId;
      rpc[size] = rpcId;
      time[size] = audited.entry().getTimeUnixMillis();
      key[size] = siteKey;
      message.getPayloadSha256().copyTo(payload, size * MessageStatement.HASH_BYTES);
      message.getPreviousStatementSha256().copyTo(previous, size * MessageStatement.HASH_BYTES);
      size++;
    }

    byte[] payload(int i) {
      int at = i * MessageStatement.HASH_BYTES;
      return Arrays.copyOfRange(payload, at, at + MessageStatement.HASH_BYTES);
    }

    byte[] previous(int i) {
      int at = i * MessageStatement.HASH_BYTES;
      return Arrays.copyOfRange(previous, at, at + MessageStatement.HASH_BYTES);
    }

    Finding finding(int i, String message) {
      return Finding.atEntry(message, index[i], offset[i]);
    }
  }

  /** The sites' hash chains over the signed messages, in log order. */
  private final class Chains {
    private final int n = signed.size;
    // Each message's statement link and previous link, 4 longs each.
    private final long[] self = new long[n * LINK_LONGS];
    private final long[] previous = new long[n * LINK_LONGS];
    // The latest earlier message of the same site whose statement previous[i] names, or NONE.
    private final int[] named = new int[n];
    private final boolean[] mayVouch = new boolean[n];
    private final Boolean[] verified = new Boolean[n];
    private int direct;
    private int byChain;

    Chains() {
      // A SHA-256 per message: independent, so on all cores, with one digest and one statement
      // template per RPC for each batch.
      IntStream.range(0, (n + HASHING_BATCH - 1) / HASHING_BATCH)
          .parallel()
          .forEach(
              batch -> {
                MessageDigest sha256 = sha256();
                MessageStatement.Template[] templates =
                    new MessageStatement.Template[rpcs.names.size()];
                byte[] link = new byte[MessageStatement.HASH_BYTES];
                for (int i = batch * HASHING_BATCH;
                    i < Math.min(n, (batch + 1) * HASHING_BATCH);
                    i++) {
                  int rpc = signed.rpc[i];
                  if (templates[rpc] == null) {
                    templates[rpc] = new MessageStatement.Template(rpcs.name(rpc));
                  }
                  int at = i * MessageStatement.HASH_BYTES;
                  sha256.update(templates[rpc].fill(signed.payload, at, signed.previous, at));
                  try {
                    sha256.digest(link, 0, link.length);
                  } catch (DigestException e) {
                    throw new IllegalStateException("a 32-byte array holds a SHA-256 digest", e);
                  }
                  put(self, i, link, 0);
                  put(previous, i, signed.previous, at);
                }
              });
      for (int i = 0; i < n; i++) {
        SiteKey key = signed.key[i];
        mayVouch[i] = key != null && !revokedBefore(i, key.serial());
      }
      // Almost every message names its site's message just before it, so an index of every
      // statement is built only at the first one that does not (a fork, or a gap).
      int[] latestOfSite = new int[sites.names.size()];
      Arrays.fill(latestOfSite, NONE);
      Map<Integer, Map<Link, Integer>> statements = null;
      for (int i = 0; i < n; i++) {
        int site = signed.site[i];
        int latest = latestOfSite[site];
        latestOfSite[site] = i;
        if (isZero(previous, i)) {
          named[i] = NONE;
        } else if (latest != NONE
            && Arrays.equals(
                self,
                latest * LINK_LONGS,
                (latest + 1) * LINK_LONGS,
                previous,
                i * LINK_LONGS,
                (i + 1) * LINK_LONGS)) {
          named[i] = latest;
        } else {
          if (statements == null) {
            statements = index(i);
          }
          named[i] =
              statements.getOrDefault(site, Map.of()).getOrDefault(Link.at(previous, i), NONE);
        }
        if (statements != null) {
          statements.computeIfAbsent(site, s -> new HashMap<>()).put(Link.at(self, i), i);
        }
      }
    }

    private byte[] statement(int i) {
      return MessageStatement.of(rpcs.name(signed.rpc[i]), signed.payload(i), signed.previous(i));
    }

    /** Whether the certificate {@code serial} of message i's site was revoked before it. */
    private boolean revokedBefore(int i, BigInteger serial) {
      long[] revoked = revocations.getOrDefault(sites.name(signed.site[i]), Map.of()).get(serial);
      return revoked != null && (revoked[0] < signed.index[i] || revoked[1] <= signed.time[i]);
    }

    /** Each site's statements among the first {@code count} messages, by link: the latest one. */
    private Map<Integer, Map<Link, Integer>> index(int count) {
      Map<Integer, Map<Link, Integer>> statements = new HashMap<>();
      for (int j = 0; j < count; j++) {
        statements.computeIfAbsent(signed.site[j], s -> new HashMap<>()).put(Link.at(self, j), j);
      }
      return statements;
    }

    /** Whether message i's own signature verifies; reads its entry again for the signature. */
    private boolean verify(int i) {
      Optional<AuditedEntry> entry = log.read(signed.index[i]);
      if (entry.isEmpty()) {
        return false;
      }
      byte[] signature = entry.get().entry().getMessage().getSenderSignature().toByteArray();
      return signed.key[i].verifier().verify(signature, statement(i));
    }

    /** Authenticates every signed message and returns the failures. */
    List<Finding> authenticate() {
      // First, optimistically (every signature that must be verified is assumed valid), find the
      // signatures to verify and verify them on all cores; then walk again exactly, verifying
      // in line only what an invalid signature left without a voucher (only in a failing log).
      List<Integer> pending = new ArrayList<>();
      walk(pending);
      pending.parallelStream().forEach(i -> verified[i] = verify(i));
      boolean[] authenticated = walk(null);
      List<Finding> found = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String rpc = rpcs.name(signed.rpc[i]);
        String site = sites.name(signed.site[i]);
        if (signed.key[i] != null && !authenticated[i]) {
          found.add(
              signed.finding(
                  i,
                  rpc
                      + " from "
                      + site
                      + ": the signature does not match its statement under the site's"
                      + " certificate, and no later authenticated message of the site names"
                      + " it as previous"));
        } else if (authenticated[i] && named[i] == NONE && !isZero(previous, i)) {
          found.add(
              signed.finding(
                  i,
                  rpc
                      + " from "
                      + site
                      + " names as previous the statement "
                      + HexFormat.of().toHexDigits(previous[i * LINK_LONGS])
                      + "…, which no earlier message of the site in the log has: an entry the"
                      + " site was told is logged is missing, or was altered"));
        }
      }
      return found;
    }

    /**
     * Walks the messages from the newest: a message is authenticated by chain if a later
     * authenticated message of its site that may vouch names its statement, else by its own
     * signature. With {@code pending}, collects the signatures still to verify and assumes them
     * valid; without, verifies any left in line and counts.
     */
    private boolean[] walk(List<Integer> pending) {
      boolean[] authenticated = new boolean[n];
      boolean[] vouched = new boolean[n];
      direct = 0;
      byChain = 0;
      for (int i = n - 1; i >= 0; i--) {
        if (signed.key[i] == null) {
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
          verified[i] = verify(i);
          ok = verified[i];
          direct += ok ? 1 : 0;
        }
        authenticated[i] = ok;
        if (ok && mayVouch[i] && named[i] != NONE) {
          // An earlier message with the very same statement (a resend) is not vouched for: its
          // own signature is verified instead, which costs one verification and is never weaker.
          vouched[named[i]] = true;
        }
      }
      return authenticated;
    }
  }

  private static void put(long[] links, int i, byte[] hashes, int from) {
    for (int k = 0; k < LINK_LONGS; k++) {
      links[i * LINK_LONGS + k] = (long) BIG_ENDIAN_LONG.get(hashes, from + k * Long.BYTES);
    }
  }

  private static boolean isZero(long[] links, int i) {
    for (int k = 0; k < LINK_LONGS; k++) {
      if (links[i * LINK_LONGS + k] != 0) {
        return false;
      }
    }
    return true;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }

  /** A 32-byte hash as a map key. */
  private record Link(long a, long b, long c, long d) {
    static Link at(long[] links, int i) {
      int at = i * LINK_LONGS;
      return new Link(links[at], links[at + 1], links[at + 2], links[at + 3]);
    }

    @Override
    public int hashCode() {
      // SHA-256 output: any 32 of its bits are uniformly distributed.
      return (int) a;
    }
  }
}
