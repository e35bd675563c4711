package org.medfed.crypto.secagg;

import static org.medfed.crypto.secagg.SecAggException.Reason.BAD_SIGNATURE;
import static org.medfed.crypto.secagg.SecAggException.Reason.BELOW_THRESHOLD;
import static org.medfed.crypto.secagg.SecAggException.Reason.INCONSISTENT;
import static org.medfed.crypto.secagg.SecAggException.Reason.PRIVACY_VIOLATION;
import static org.medfed.crypto.secagg.SecAggException.Reason.REPLAY;
import static org.medfed.crypto.secagg.SecAggException.Reason.ROUND_FAILED;
import static org.medfed.crypto.secagg.SecAggException.Reason.WRONG_LENGTH;
import static org.medfed.crypto.secagg.SecAggException.Reason.WRONG_PHASE;
import static org.medfed.crypto.secagg.SecAggException.Reason.WRONG_RECIPIENT;
import static org.medfed.crypto.secagg.SecAggException.Reason.WRONG_ROUND;
import static org.medfed.crypto.secagg.SecAggException.Reason.WRONG_SENDER;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
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
 * The server's side of one round: collects each phase's messages, routes encrypted shares, tracks
 * who dropped in which phase, and finally removes the masks and decodes the sum.
 *
 * <p>Drive it with {@link #receive} for each message as it arrives (passing the site id the
 * transport authenticated) and close each phase when all expected messages arrived or its deadline
 * passed: {@link #closeAdvertising}, {@link #closeSharing}, {@link #closeMasking}, {@link #finish}.
 * A refused message throws {@link SecAggException} with a precise reason and changes nothing; the
 * round goes on. A phase closed with fewer than the threshold sites fails the round: the server
 * discards what it collected and refuses everything after. Not thread-safe: callers serialise
 * access.
 *
 * <p>Privacy invariant: for each site the server asks for, and accepts, either self-mask-seed
 * shares (it sent masked input) or masking-key shares (it dropped after sharing keys), never both.
 */
public final class SecAggServer {
  private final RoundParameters parameters;
  private final SignatureVerifier verifier;
  private final Neighbourhoods graph;
  private final Map<String, AdvertiseKeys> advertised = new TreeMap<>();
  private final Map<String, ShareKeys> shared = new TreeMap<>();
  private final Set<String> maskedInputs = new TreeSet<>();
  private final Map<String, UnmaskShares> unmaskings = new TreeMap<>();
  private int[] maskedSum;
  private State state = new Collecting(Phase.ADVERTISE_KEYS);

  private sealed interface State {}

  /** Accepting the messages of {@code phase}. */
  private record Collecting(Phase phase) implements State {}

  private record Finished(AggregateResult result) implements State {}

  private record Failed(String reason) implements State {}

  public SecAggServer(RoundParameters parameters, SignatureVerifier verifier) {
    this.parameters = Objects.requireNonNull(parameters, "parameters");
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.graph = Neighbourhoods.of(parameters);
  }

  public Phase phase() {
    return switch (state) {
      case Collecting c -> c.phase();
      case Finished f -> Phase.FINISHED;
      case Failed f -> Phase.FAILED;
    };
  }

  /**
   * Accepts one site message for the current phase.
   *
   * @param authenticatedSite the site the transport authenticated (its certificate's CN); the
   *     message's own site id must equal it
   */
  public void receive(String authenticatedSite, SecAggMessage message) throws SecAggException {
    Objects.requireNonNull(authenticatedSite, "authenticatedSite");
    Objects.requireNonNull(message, "message");
    if (state instanceof Failed f) {
      throw new SecAggException(
          ROUND_FAILED, "round " + parameters.round() + " failed: " + f.reason());
    }
    if (message.round() != parameters.round()) {
      throw new SecAggException(
          WRONG_ROUND,
          "message is for round " + message.round() + ", this is round " + parameters.round());
    }
    switch (message) {
      case AdvertiseKeys m -> receiveKeys(authenticatedSite, m);
      case ShareKeys m -> receiveShares(authenticatedSite, m);
      case MaskedInput m -> receiveMaskedInput(authenticatedSite, m);
      case UnmaskShares m -> receiveUnmask(authenticatedSite, m);
      case EncryptedShare m ->
          throw new SecAggException(WRONG_PHASE, "encrypted shares travel inside share keys");
      case UnmaskRequest m ->
          throw new SecAggException(WRONG_PHASE, "an unmask request is sent by the server");
    }
  }

  private void receiveKeys(String from, AdvertiseKeys m) throws SecAggException {
    requireSender(from, m.siteId());
    requirePhase(Phase.ADVERTISE_KEYS, "advertised keys");
    requireParticipant(m.siteId());
    requireFirst(advertised.containsKey(m.siteId()), "advertised keys", m.siteId());
    SecAggClient.requireKeyLengths(m);
    List<AdvertiseKeys> all = new ArrayList<>(advertised.values());
    all.add(m);
    SecAggClient.requireDistinctKeys(all);
    if (!verifier.verify(m.siteId(), m.signedPayload(), m.signature())) {
      throw new SecAggException(BAD_SIGNATURE, "keys of " + m.siteId() + " are not signed by it");
    }
    advertised.put(m.siteId(), m);
  }

  /**
   * Ends phase {@link Phase#ADVERTISE_KEYS}.
   *
   * @return the keys to send to every site that advertised
   * @throws SecAggException (BELOW_THRESHOLD) if fewer than the threshold advertised; the round has
   *     then failed
   */
  public List<AdvertiseKeys> closeAdvertising() throws SecAggException {
    requireClosable(Phase.ADVERTISE_KEYS);
    requireSurvivors(advertised.size(), "advertised keys");
    state = new Collecting(Phase.SHARE_KEYS);
    return List.copyOf(advertised.values());
  }

  private void receiveShares(String from, ShareKeys m) throws SecAggException {
    requireSender(from, m.siteId());
    requirePhase(Phase.SHARE_KEYS, "share keys");
    requireParticipant(m.siteId());
    if (!advertised.containsKey(m.siteId())) {
      throw new SecAggException(WRONG_SENDER, m.siteId() + " did not advertise keys");
    }
    requireFirst(shared.containsKey(m.siteId()), "share keys", m.siteId());
    Set<String> expected = new TreeSet<>(graph.of(m.siteId()));
    expected.retainAll(advertised.keySet());
    Set<String> recipients = new HashSet<>();
    for (EncryptedShare e : m.shares()) {
      if (e.round() != parameters.round()) {
        throw new SecAggException(WRONG_ROUND, "share inside is for round " + e.round());
      }
      if (!e.sender().equals(m.siteId())) {
        throw new SecAggException(WRONG_SENDER, "share inside claims sender " + e.sender());
      }
      if (!expected.contains(e.recipient())) {
        throw new SecAggException(
            WRONG_RECIPIENT, e.recipient() + " is not a neighbour that advertised keys");
      }
      if (!recipients.add(e.recipient())) {
        throw new SecAggException(REPLAY, "two shares for " + e.recipient());
      }
      if (e.ciphertext().length != SecAggClient.SHARE_CIPHERTEXT_BYTES) {
        throw new SecAggException(
            WRONG_LENGTH,
            "share for "
                + e.recipient()
                + " is "
                + e.ciphertext().length
                + " bytes, expected "
                + SecAggClient.SHARE_CIPHERTEXT_BYTES);
      }
    }
    if (!recipients.equals(expected)) {
      throw new SecAggException(
          INCONSISTENT, m.siteId() + " sent shares for " + recipients + ", expected " + expected);
    }
    shared.put(m.siteId(), m);
  }

  /**
   * Ends phase {@link Phase#SHARE_KEYS}.
   *
   * @return for each site that shared keys, the encrypted shares addressed to it by the others that
   *     shared keys
   */
  public Map<String, List<EncryptedShare>> closeSharing() throws SecAggException {
    requireClosable(Phase.SHARE_KEYS);
    requireSurvivors(shared.size(), "shared keys");
    Map<String, List<EncryptedShare>> routed = new TreeMap<>();
    for (String site : shared.keySet()) {
      routed.put(site, new ArrayList<>());
    }
    for (ShareKeys m : shared.values()) {
      for (EncryptedShare e : m.shares()) {
        List<EncryptedShare> inbox = routed.get(e.recipient());
        if (inbox != null) {
          inbox.add(e);
        }
      }
    }
    routed.replaceAll((site, list) -> List.copyOf(list));
    maskedSum = new int[parameters.vectorLength()];
    state = new Collecting(Phase.MASKED_INPUT);
    return Map.copyOf(routed);
  }

  private void receiveMaskedInput(String from, MaskedInput m) throws SecAggException {
    requireSender(from, m.siteId());
    requirePhase(Phase.MASKED_INPUT, "masked input");
    requireParticipant(m.siteId());
    if (!shared.containsKey(m.siteId())) {
      throw new SecAggException(WRONG_SENDER, m.siteId() + " did not share keys");
    }
    requireFirst(maskedInputs.contains(m.siteId()), "masked input", m.siteId());
    if (m.length() != parameters.vectorLength()) {
      throw new SecAggException(
          WRONG_LENGTH,
          "masked input has " + m.length() + " elements, expected " + parameters.vectorLength());
    }
    m.addInto(maskedSum);
    maskedInputs.add(m.siteId());
  }

  /**
   * Ends phase {@link Phase#MASKED_INPUT}.
   *
   * @return the request to send to every site that sent masked input
   */
  public UnmaskRequest closeMasking() throws SecAggException {
    requireClosable(Phase.MASKED_INPUT);
    requireSurvivors(maskedInputs.size(), "sent masked input");
    state = new Collecting(Phase.UNMASKING);
    return new UnmaskRequest(parameters.round(), List.copyOf(maskedInputs));
  }

  private void receiveUnmask(String from, UnmaskShares m) throws SecAggException {
    requireSender(from, m.siteId());
    requirePhase(Phase.UNMASKING, "unmask shares");
    requireParticipant(m.siteId());
    if (!maskedInputs.contains(m.siteId())) {
      throw new SecAggException(WRONG_SENDER, m.siteId() + " did not send masked input");
    }
    requireFirst(unmaskings.containsKey(m.siteId()), "unmask shares", m.siteId());
    Set<String> owners = new HashSet<>();
    for (RevealedShare r : m.shares()) {
      if (!shared.containsKey(r.owner()) || !graph.holdersOf(r.owner()).contains(m.siteId())) {
        throw new SecAggException(
            INCONSISTENT, m.siteId() + " cannot hold a share of " + r.owner());
      }
      if (!owners.add(r.owner())) {
        throw new SecAggException(REPLAY, "two shares of " + r.owner());
      }
      SecretKind allowed =
          maskedInputs.contains(r.owner()) ? SecretKind.SELF_MASK_SEED : SecretKind.MASKING_KEY;
      if (r.kind() != allowed) {
        throw new SecAggException(
            PRIVACY_VIOLATION,
            "refusing a " + r.kind() + " share of " + r.owner() + ": only " + allowed + " allowed");
      }
      if (r.share().length != Shamir.SHARE_BYTES) {
        throw new SecAggException(
            WRONG_LENGTH, "share of " + r.owner() + " must be " + Shamir.SHARE_BYTES + " bytes");
      }
    }
    unmaskings.put(m.siteId(), m);
  }

  /**
   * Ends phase {@link Phase#UNMASKING}: reconstructs each survivor's self-mask seed and each
   * dropped site's masking key from the threshold number of shares, removes those masks, and
   * decodes the sum.
   *
   * @throws SecAggException if fewer than the threshold answered, a site lacks enough shares, or
   *     the shares are inconsistent; the round has then failed
   */
  public AggregateResult finish() throws SecAggException {
    requireClosable(Phase.UNMASKING);
    requireSurvivors(unmaskings.size(), "sent unmask shares");
    int t = parameters.threshold();
    int[] sum = maskedSum;
    // Every mask to remove is collected first, then all are removed in one pass over the sum.
    MaskSum masks = new MaskSum();
    for (String owner : shared.keySet()) {
      boolean survived = maskedInputs.contains(owner);
      List<Shamir.Share> shares = collect(owner, survived);
      if (shares.size() < t) {
        throw fail(
            BELOW_THRESHOLD,
            "only " + shares.size() + " shares of " + owner + ", threshold is " + t);
      }
      byte[] secret;
      try {
        secret = Shamir.reconstruct(shares.subList(0, t));
      } catch (IllegalArgumentException e) {
        throw fail(INCONSISTENT, "shares of " + owner + " do not reconstruct a secret");
      }
      if (survived) {
        removeSelfMask(masks, owner, secret);
      } else {
        removePairwiseMasks(masks, owner, secret);
      }
      Arrays.fill(secret, (byte) 0);
    }
    masks.applyTo(sum);
    List<String> contributors = List.copyOf(maskedInputs);
    double[] decoded;
    try {
      decoded = parameters.quantizer().decode(sum, contributors.size());
    } catch (IllegalArgumentException e) {
      throw fail(INCONSISTENT, "unmasked sum is out of range: " + e.getMessage());
    }
    AggregateResult result =
        new AggregateResult(
            parameters.round(),
            decoded,
            contributors,
            dropouts(),
            parameters.quantizer().errorBound(contributors.size()));
    state = new Finished(result);
    maskedSum = null;
    return result;
  }

  /**
   * For each phase, the sites that completed the previous phase (or were invited, for {@link
   * Phase#ADVERTISE_KEYS}) but have not completed this one. Phases not yet reached are absent.
   */
  public Map<Phase, List<String>> dropouts() {
    Map<Phase, List<String>> out = new EnumMap<>(Phase.class);
    Phase now = phase();
    boolean over = now == Phase.FINISHED || now == Phase.FAILED;
    out.put(Phase.ADVERTISE_KEYS, missing(parameters.sites(), advertised.keySet()));
    if (over || now.compareTo(Phase.SHARE_KEYS) >= 0) {
      out.put(Phase.SHARE_KEYS, missing(advertised.keySet(), shared.keySet()));
    }
    if (over || now.compareTo(Phase.MASKED_INPUT) >= 0) {
      out.put(Phase.MASKED_INPUT, missing(shared.keySet(), maskedInputs));
    }
    if (over || now.compareTo(Phase.UNMASKING) >= 0) {
      out.put(Phase.UNMASKING, missing(maskedInputs, unmaskings.keySet()));
    }
    return out;
  }

  private static List<String> missing(Iterable<String> expected, Set<String> present) {
    List<String> out = new ArrayList<>();
    for (String site : expected) {
      if (!present.contains(site)) {
        out.add(site);
      }
    }
    return List.copyOf(out);
  }

  private List<Shamir.Share> collect(String owner, boolean survived) {
    SecretKind kind = survived ? SecretKind.SELF_MASK_SEED : SecretKind.MASKING_KEY;
    List<Shamir.Share> out = new ArrayList<>();
    for (UnmaskShares response : unmaskings.values()) {
      for (RevealedShare r : response.shares()) {
        if (r.owner().equals(owner) && r.kind() == kind) {
          out.add(Shamir.Share.decode(parameters.indexOf(response.siteId()), r.share()));
        }
      }
    }
    return out;
  }

  private void removeSelfMask(MaskSum masks, String owner, byte[] seed) {
    masks.add(
        RoundCrypto.deriveKey(
            seed, RoundCrypto.Purpose.SELF_MASK, parameters.round(), owner, owner),
        true);
  }

  /**
   * Each surviving neighbour v of the dropped site u added +PRG(s_vu) if u is after v in id order,
   * -PRG(s_vu) if before; this applies the opposite.
   */
  private void removePairwiseMasks(MaskSum masks, String dropped, byte[] privateKey)
      throws SecAggException {
    X25519PrivateKeyParameters key = new X25519PrivateKeyParameters(privateKey, 0);
    if (!MessageDigest.isEqual(RoundCrypto.publicKey(key), advertised.get(dropped).maskingKey())) {
      throw fail(
          INCONSISTENT, "reconstructed masking key of " + dropped + " does not match its keys");
    }
    for (String survivor : graph.of(dropped)) {
      if (!maskedInputs.contains(survivor)) {
        continue;
      }
      byte[] agreed = RoundCrypto.agree(key, advertised.get(survivor).maskingKey());
      SecretKey mask =
          RoundCrypto.deriveKey(
              agreed, RoundCrypto.Purpose.PAIRWISE_MASK, parameters.round(), dropped, survivor);
      Arrays.fill(agreed, (byte) 0);
      boolean survivorAdded = dropped.compareTo(survivor) > 0;
      masks.add(mask, survivorAdded);
    }
  }

  private void requireSender(String authenticated, String claimed) throws SecAggException {
    if (!authenticated.equals(claimed)) {
      throw new SecAggException(
          WRONG_SENDER, "message from " + authenticated + " claims to be from " + claimed);
    }
  }

  private void requireParticipant(String site) throws SecAggException {
    if (!parameters.sites().contains(site)) {
      throw new SecAggException(WRONG_SENDER, site + " is not a participant of this round");
    }
  }

  private void requirePhase(Phase expected, String what) throws SecAggException {
    Phase now = phase();
    if (now != expected) {
      throw new SecAggException(
          WRONG_PHASE,
          what
              + " belong to phase "
              + expected
              + (now.compareTo(expected) > 0 ? ", which has closed" : ", which has not opened")
              + "; now in "
              + now);
    }
  }

  private static void requireFirst(boolean seen, String what, String site) throws SecAggException {
    if (seen) {
      throw new SecAggException(REPLAY, site + " already sent " + what);
    }
  }

  private void requireClosable(Phase expected) throws SecAggException {
    if (state instanceof Failed f) {
      throw new SecAggException(
          ROUND_FAILED, "round " + parameters.round() + " failed: " + f.reason());
    }
    if (phase() != expected) {
      throw new IllegalStateException("cannot close " + expected + " in phase " + phase());
    }
  }

  private void requireSurvivors(int count, String what) throws SecAggException {
    if (count < parameters.threshold()) {
      throw fail(
          BELOW_THRESHOLD,
          "only "
              + count
              + " sites "
              + what
              + ", threshold is "
              + parameters.threshold()
              + "; dropped: "
              + dropouts());
    }
  }

  /** Fails the round: discards the masked sum, and every later call is refused. */
  private SecAggException fail(SecAggException.Reason reason, String message) {
    if (maskedSum != null) {
      Arrays.fill(maskedSum, 0);
      maskedSum = null;
    }
    state = new Failed(message);
    return new SecAggException(reason, message);
  }
}
