package org.medfed.crypto.secagg;

import static org.medfed.crypto.secagg.SecAggException.Reason.BAD_SIGNATURE;
import static org.medfed.crypto.secagg.SecAggException.Reason.BELOW_THRESHOLD;
import static org.medfed.crypto.secagg.SecAggException.Reason.INCONSISTENT;
import static org.medfed.crypto.secagg.SecAggException.Reason.PRIVACY_VIOLATION;
import static org.medfed.crypto.secagg.SecAggException.Reason.REPLAY;
import static org.medfed.crypto.secagg.SecAggException.Reason.WRONG_LENGTH;
import static org.medfed.crypto.secagg.SecAggException.Reason.WRONG_PHASE;
import static org.medfed.crypto.secagg.SecAggException.Reason.WRONG_RECIPIENT;
import static org.medfed.crypto.secagg.SecAggException.Reason.WRONG_ROUND;
import static org.medfed.crypto.secagg.SecAggException.Reason.WRONG_SENDER;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.crypto.SecretKey;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.medfed.crypto.secagg.SecAggMessage.AdvertiseKeys;
import org.medfed.crypto.secagg.SecAggMessage.EncryptedShare;
import org.medfed.crypto.secagg.SecAggMessage.MaskedInput;
import org.medfed.crypto.secagg.SecAggMessage.RevealedShare;
import org.medfed.crypto.secagg.SecAggMessage.SecretKind;
import org.medfed.crypto.secagg.SecAggMessage.ShareKeys;
import org.medfed.crypto.secagg.SecAggMessage.UnmaskRequest;
import org.medfed.crypto.secagg.SecAggMessage.UnmaskShares;

/**
 * One site's side of one round (Bonawitz et al. 2017, honest-but-curious server). Call, in order,
 * {@link #advertiseKeys}, {@link #shareKeys}, {@link #maskInput}, {@link #unmask}; each takes what
 * the server sent and returns what to send back. A refused input throws {@link SecAggException} and
 * leaves the client in the same phase. Not thread-safe; one instance per site per round.
 *
 * <p>The client protects its own input: it reveals self-mask shares only for sites listed as
 * survivors and masking-key shares only for the others, never both for one site, and only if the
 * survivors (their connected component, under SecAgg+) number at least the threshold.
 */
public final class SecAggClient {
  static final int SHARE_PLAINTEXT_BYTES = 2 * Shamir.SHARE_BYTES;
  static final int SHARE_CIPHERTEXT_BYTES =
      RoundCrypto.NONCE_BYTES + SHARE_PLAINTEXT_BYTES + RoundCrypto.TAG_BYTES;

  private final RoundParameters parameters;
  private final String siteId;
  private final MessageSigner signer;
  private final SignatureVerifier verifier;
  private final SecureRandom random;
  private final Neighbourhoods graph;
  private State state = new Fresh();

  private sealed interface State {}

  private record Fresh() implements State {}

  private record Advertised(
      X25519PrivateKeyParameters encryptionKey,
      X25519PrivateKeyParameters maskingKey,
      AdvertiseKeys own)
      implements State {}

  /**
   * After sharing: the verified keys of our share holders (neighbours and us), and the share
   * encryption keys agreed with the neighbours, kept to open their shares in the next phase.
   */
  private record Shared(
      Advertised keys,
      Map<String, AdvertiseKeys> roster,
      Map<String, SecretKey> shareKeys,
      SecretBytes selfMaskSeed,
      HeldShares ownShares)
      implements State {}

  /** Shares held for each site that shared with us (and our own), until unmasking. */
  private record Masked(Set<String> sharers, Map<String, HeldShares> held) implements State {}

  private record Done() implements State {}

  private record HeldShares(SecretBytes selfMaskSeedShare, SecretBytes maskingKeyShare) {}

  private SecAggClient(
      RoundParameters parameters,
      String siteId,
      MessageSigner signer,
      SignatureVerifier verifier,
      SecureRandom random) {
    this.parameters = parameters;
    this.siteId = siteId;
    this.signer = signer;
    this.verifier = verifier;
    this.random = random;
    this.graph = Neighbourhoods.of(parameters);
  }

  /**
   * @param signer signs with this site's identity key
   * @param verifier checks other sites' signatures against their certificates
   * @throws IllegalArgumentException if {@code siteId} is not a participant of the round
   */
  public static SecAggClient create(
      RoundParameters parameters,
      String siteId,
      MessageSigner signer,
      SignatureVerifier verifier,
      SecureRandom random) {
    Objects.requireNonNull(parameters, "parameters");
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(verifier, "verifier");
    Objects.requireNonNull(random, "random");
    parameters.indexOf(siteId);
    return new SecAggClient(parameters, siteId, signer, verifier, random);
  }

  public String siteId() {
    return siteId;
  }

  /** The phase whose message this client produces next. */
  public Phase phase() {
    return switch (state) {
      case Fresh f -> Phase.ADVERTISE_KEYS;
      case Advertised a -> Phase.SHARE_KEYS;
      case Shared s -> Phase.MASKED_INPUT;
      case Masked m -> Phase.UNMASKING;
      case Done d -> Phase.FINISHED;
    };
  }

  /**
   * Phase {@link Phase#ADVERTISE_KEYS}: generates this round's two X25519 key pairs and signs the
   * public keys.
   *
   * @throws GeneralSecurityException if the signer fails
   */
  public AdvertiseKeys advertiseKeys() throws GeneralSecurityException {
    requirePhase(Phase.ADVERTISE_KEYS, "advertise keys");
    X25519PrivateKeyParameters c = RoundCrypto.generateKey(random);
    X25519PrivateKeyParameters s = RoundCrypto.generateKey(random);
    AdvertiseKeys unsigned =
        new AdvertiseKeys(
            parameters.round(),
            siteId,
            RoundCrypto.publicKey(c),
            RoundCrypto.publicKey(s),
            new byte[0]);
    byte[] signature = signer.sign(unsigned.signedPayload());
    AdvertiseKeys own =
        new AdvertiseKeys(
            parameters.round(), siteId, unsigned.encryptionKey(), unsigned.maskingKey(), signature);
    state = new Advertised(c, s, own);
    return own;
  }

  /**
   * Phase {@link Phase#SHARE_KEYS}: checks the advertised keys the server relayed (this round,
   * participants only, once each, no key reused, our own keys unchanged, enough of them, and a
   * valid signature on every key this site uses: its neighbours' and its own, so every site's under
   * the complete graph), then Shamir-shares a fresh self-mask seed and the masking private key and
   * encrypts one share pair to each neighbour that advertised.
   *
   * <p>Under SecAgg+ the keys of sites that are not neighbours are never used by this site, so
   * their signatures are left to the sites that use them (their own neighbours, each of which
   * checks them here) and to the server (which checks every one on receipt), as in Bell et al.
   */
  public ShareKeys shareKeys(List<AdvertiseKeys> advertised) throws SecAggException {
    requirePhase(Phase.SHARE_KEYS, "share keys");
    Advertised keys = (Advertised) state;
    Map<String, AdvertiseKeys> roster = new TreeMap<>();
    for (AdvertiseKeys a : advertised) {
      if (a.round() != parameters.round()) {
        throw new SecAggException(
            WRONG_ROUND,
            "keys of "
                + a.siteId()
                + " are for round "
                + a.round()
                + ", not "
                + parameters.round());
      }
      if (!parameters.sites().contains(a.siteId())) {
        throw new SecAggException(WRONG_SENDER, a.siteId() + " is not a participant");
      }
      if (roster.put(a.siteId(), a) != null) {
        throw new SecAggException(REPLAY, "keys of " + a.siteId() + " appear twice");
      }
      requireKeyLengths(a);
    }
    AdvertiseKeys ownEcho = roster.get(siteId);
    if (ownEcho == null
        || !MessageDigest.isEqual(ownEcho.encryptionKey(), keys.own().encryptionKey())
        || !MessageDigest.isEqual(ownEcho.maskingKey(), keys.own().maskingKey())) {
      throw new SecAggException(INCONSISTENT, "the relayed keys do not include ours unchanged");
    }
    requireDistinctKeys(roster.values());
    List<String> holders = alive(graph.holdersOf(siteId), roster.keySet());
    Map<String, AdvertiseKeys> used = new TreeMap<>();
    for (String holder : holders) {
      AdvertiseKeys a = roster.get(holder);
      if (!verifier.verify(a.siteId(), a.signedPayload(), a.signature())) {
        throw new SecAggException(BAD_SIGNATURE, "keys of " + a.siteId() + " are not signed by it");
      }
      used.put(holder, a);
    }
    requireAtLeastThreshold(roster.size(), "sites advertised keys");
    requireAtLeastThreshold(holders.size(), "of our share holders advertised keys");

    byte[] seed = new byte[Shamir.SECRET_BYTES];
    random.nextBytes(seed);
    int[] indices = holders.stream().mapToInt(parameters::indexOf).toArray();
    byte[] maskingSecret = keys.maskingKey().getEncoded();
    List<Shamir.Share> seedShares = Shamir.split(seed, indices, parameters.threshold(), random);
    List<Shamir.Share> keyShares =
        Shamir.split(maskingSecret, indices, parameters.threshold(), random);
    Arrays.fill(maskingSecret, (byte) 0);
    List<EncryptedShare> out = new ArrayList<>();
    Map<String, SecretKey> shareKeys = new HashMap<>();
    for (int i = 0; i < holders.size(); i++) {
      String recipient = holders.get(i);
      if (recipient.equals(siteId)) {
        continue;
      }
      byte[] plaintext = new byte[SHARE_PLAINTEXT_BYTES];
      System.arraycopy(seedShares.get(i).encode(), 0, plaintext, 0, Shamir.SHARE_BYTES);
      System.arraycopy(
          keyShares.get(i).encode(), 0, plaintext, Shamir.SHARE_BYTES, Shamir.SHARE_BYTES);
      SecretKey key =
          shareKey(keys.encryptionKey(), roster.get(recipient).encryptionKey(), recipient);
      shareKeys.put(recipient, key);
      byte[] ciphertext =
          RoundCrypto.seal(key, plaintext, shareAssociatedData(siteId, recipient), random);
      Arrays.fill(plaintext, (byte) 0);
      out.add(new EncryptedShare(parameters.round(), siteId, recipient, ciphertext));
    }
    int own = holders.indexOf(siteId);
    SecretBytes seedSecret = SecretBytes.copyOf(seed);
    Arrays.fill(seed, (byte) 0);
    HeldShares ownShares =
        new HeldShares(
            SecretBytes.copyOf(seedShares.get(own).encode()),
            SecretBytes.copyOf(keyShares.get(own).encode()));
    state = new Shared(keys, Map.copyOf(used), Map.copyOf(shareKeys), seedSecret, ownShares);
    return new ShareKeys(parameters.round(), siteId, out);
  }

  /**
   * Phase {@link Phase#MASKED_INPUT}: decrypts the shares the server routed to us (their senders
   * are the sites we mask with), quantises {@code update}, and adds the self mask and the pairwise
   * masks: +PRG(s_uv) for each neighbour v after us in id order, -PRG(s_uv) for each before. The
   * masks are generated block by block straight into the quantised vector ({@link MaskSum}).
   *
   * @throws IllegalArgumentException if {@code update} does not have the round's vector length
   */
  public MaskedInput maskInput(List<EncryptedShare> received, double[] update)
      throws SecAggException {
    requirePhase(Phase.MASKED_INPUT, "masked input");
    if (update.length != parameters.vectorLength()) {
      throw new IllegalArgumentException(
          "update has " + update.length + " elements, round expects " + parameters.vectorLength());
    }
    Shared shared = (Shared) state;
    Map<String, EncryptedShare> bySender = new TreeMap<>();
    for (EncryptedShare e : received) {
      if (e.round() != parameters.round()) {
        throw new SecAggException(
            WRONG_ROUND, "share from " + e.sender() + " is for round " + e.round());
      }
      if (!e.recipient().equals(siteId)) {
        throw new SecAggException(
            WRONG_RECIPIENT, "share from " + e.sender() + " is addressed to " + e.recipient());
      }
      if (!shared.roster().containsKey(e.sender()) || !graph.of(siteId).contains(e.sender())) {
        throw new SecAggException(
            WRONG_SENDER, e.sender() + " is not a neighbour that advertised keys");
      }
      if (bySender.put(e.sender(), e) != null) {
        throw new SecAggException(REPLAY, "two shares from " + e.sender());
      }
      if (e.ciphertext().length != SHARE_CIPHERTEXT_BYTES) {
        throw new SecAggException(
            WRONG_LENGTH,
            "share from "
                + e.sender()
                + " is "
                + e.ciphertext().length
                + " bytes, expected "
                + SHARE_CIPHERTEXT_BYTES);
      }
    }
    Set<String> sharers = new TreeSet<>(bySender.keySet());
    sharers.add(siteId);
    requireAtLeastThreshold(
        alive(graph.holdersOf(siteId), sharers).size(), "of our share holders shared keys");

    Map<String, HeldShares> held = new HashMap<>();
    held.put(siteId, shared.ownShares());
    for (EncryptedShare e : bySender.values()) {
      // The key agreed with this sender when we encrypted our shares to it (same pair of c keys).
      SecretKey key = shared.shareKeys().get(e.sender());
      if (key == null) {
        key =
            shareKey(
                shared.keys().encryptionKey(),
                shared.roster().get(e.sender()).encryptionKey(),
                e.sender());
      }
      byte[] plaintext =
          RoundCrypto.open(key, e.ciphertext(), shareAssociatedData(e.sender(), siteId));
      held.put(
          e.sender(),
          new HeldShares(
              SecretBytes.copyOf(Arrays.copyOfRange(plaintext, 0, Shamir.SHARE_BYTES)),
              SecretBytes.copyOf(
                  Arrays.copyOfRange(plaintext, Shamir.SHARE_BYTES, SHARE_PLAINTEXT_BYTES))));
      Arrays.fill(plaintext, (byte) 0);
    }

    // Every key agreement (which can refuse a low-order key) before anything is consumed.
    MaskSum masks = new MaskSum();
    byte[] seed = shared.selfMaskSeed().toByteArray();
    masks.add(
        RoundCrypto.deriveKey(
            seed, RoundCrypto.Purpose.SELF_MASK, parameters.round(), siteId, siteId),
        false);
    Arrays.fill(seed, (byte) 0);
    for (String peer : bySender.keySet()) {
      byte[] agreed =
          RoundCrypto.agree(shared.keys().maskingKey(), shared.roster().get(peer).maskingKey());
      SecretKey key =
          RoundCrypto.deriveKey(
              agreed, RoundCrypto.Purpose.PAIRWISE_MASK, parameters.round(), siteId, peer);
      Arrays.fill(agreed, (byte) 0);
      masks.add(key, peer.compareTo(siteId) < 0);
    }
    int[] masked = parameters.quantizer().encode(update, random, masks);
    shared.selfMaskSeed().destroy();
    state = new Masked(Set.copyOf(sharers), Map.copyOf(held));
    return new MaskedInput(parameters.round(), siteId, masked);
  }

  /**
   * Phase {@link Phase#UNMASKING}: for each site whose shares we hold, reveals its self-mask-seed
   * share if it is a survivor, else its masking-key share.
   *
   * @throws SecAggException if the request lists a site that did not share keys with us, omits us,
   *     or the survivors are fewer than the threshold (then revealing would expose a small sum)
   */
  public UnmaskShares unmask(UnmaskRequest request) throws SecAggException {
    requirePhase(Phase.UNMASKING, "unmask");
    if (request.round() != parameters.round()) {
      throw new SecAggException(WRONG_ROUND, "unmask request is for round " + request.round());
    }
    Masked masked = (Masked) state;
    Set<String> survivors = new HashSet<>();
    for (String site : request.survivors()) {
      if (!survivors.add(site)) {
        throw new SecAggException(REPLAY, "survivor " + site + " is listed twice");
      }
      if (!parameters.sites().contains(site)) {
        throw new SecAggException(WRONG_SENDER, site + " is not a participant");
      }
      if (graph.holdersOf(siteId).contains(site) && !masked.sharers().contains(site)) {
        throw new SecAggException(
            INCONSISTENT, "survivor " + site + " never shared keys with this site");
      }
    }
    if (!survivors.contains(siteId)) {
      throw new SecAggException(INCONSISTENT, "the survivors do not include this site");
    }
    requireAtLeastThreshold(survivors.size(), "sites sent masked input");
    Map<String, Integer> componentSizes = graph.componentSizes(survivors);
    for (String site : survivors) {
      if (masked.held().containsKey(site) && componentSizes.get(site) < parameters.threshold()) {
        throw new SecAggException(
            PRIVACY_VIOLATION,
            "unmasking " + site + " would reveal a sum of fewer than the threshold sites");
      }
    }
    List<RevealedShare> out = new ArrayList<>();
    for (Map.Entry<String, HeldShares> entry : new TreeMap<>(masked.held()).entrySet()) {
      String owner = entry.getKey();
      boolean survived = survivors.contains(owner);
      SecretBytes share =
          survived ? entry.getValue().selfMaskSeedShare() : entry.getValue().maskingKeyShare();
      out.add(
          new RevealedShare(
              owner,
              survived ? SecretKind.SELF_MASK_SEED : SecretKind.MASKING_KEY,
              share.toByteArray()));
    }
    for (HeldShares h : masked.held().values()) {
      h.selfMaskSeedShare().destroy();
      h.maskingKeyShare().destroy();
    }
    state = new Done();
    return new UnmaskShares(parameters.round(), siteId, out);
  }

  private SecretKey shareKey(X25519PrivateKeyParameters own, byte[] peerPublic, String peer)
      throws SecAggException {
    byte[] agreed = RoundCrypto.agree(own, peerPublic);
    SecretKey key =
        RoundCrypto.deriveKey(
            agreed, RoundCrypto.Purpose.SHARE_ENCRYPTION, parameters.round(), siteId, peer);
    Arrays.fill(agreed, (byte) 0);
    return key;
  }

  private byte[] shareAssociatedData(String sender, String recipient) {
    return associatedData(parameters.round(), sender, recipient);
  }

  static byte[] associatedData(long round, String sender, String recipient) {
    return RoundCrypto.encode(
        RoundCrypto.bytes("medfed-secagg-v1 encrypted-share"),
        RoundCrypto.longBytes(round),
        RoundCrypto.bytes(sender),
        RoundCrypto.bytes(recipient));
  }

  private void requirePhase(Phase expected, String step) throws SecAggException {
    Phase current = phase();
    if (current != expected) {
      throw new SecAggException(
          WRONG_PHASE, "cannot " + step + " in phase " + current + ", expected " + expected);
    }
  }

  private void requireAtLeastThreshold(int count, String what) throws SecAggException {
    if (count < parameters.threshold()) {
      throw new SecAggException(
          BELOW_THRESHOLD,
          "only " + count + " " + what + ", threshold is " + parameters.threshold());
    }
  }

  static void requireKeyLengths(AdvertiseKeys a) throws SecAggException {
    if (a.encryptionKey().length != RoundCrypto.KEY_BYTES
        || a.maskingKey().length != RoundCrypto.KEY_BYTES) {
      throw new SecAggException(
          WRONG_LENGTH,
          "keys of " + a.siteId() + " must be two " + RoundCrypto.KEY_BYTES + "-byte X25519 keys");
    }
  }

  /** No public key may appear twice: a copied key would let its copier derive another's masks. */
  static void requireDistinctKeys(Iterable<AdvertiseKeys> keys) throws SecAggException {
    Set<String> seen = new HashSet<>();
    for (AdvertiseKeys a : keys) {
      if (!seen.add(java.util.HexFormat.of().formatHex(a.encryptionKey()))
          || !seen.add(java.util.HexFormat.of().formatHex(a.maskingKey()))) {
        throw new SecAggException(INCONSISTENT, "keys of " + a.siteId() + " reuse a key");
      }
    }
  }

  private static List<String> alive(Set<String> candidates, Set<String> present) {
    List<String> out = new ArrayList<>();
    for (String site : candidates) {
      if (present.contains(site)) {
        out.add(site);
      }
    }
    return out;
  }
}
