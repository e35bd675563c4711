package org.medfed.crypto.secagg;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.medfed.crypto.secagg.SecAggMessage.AdvertiseKeys;
import org.medfed.crypto.secagg.SecAggMessage.EncryptedShare;
import org.medfed.crypto.secagg.SecAggMessage.MaskedInput;
import org.medfed.crypto.secagg.SecAggMessage.UnmaskRequest;

/** Sites with Ed25519 identity keys, and an in-memory driver for whole rounds with dropouts. */
final class SimulatedFederation {
  static final SecureRandom RANDOM = new SecureRandom();

  final RoundParameters parameters;
  private final Map<String, Ed25519PrivateKeyParameters> identityKeys = new HashMap<>();

  SimulatedFederation(RoundParameters parameters) {
    this.parameters = parameters;
    for (String site : parameters.sites()) {
      identityKeys.put(site, new Ed25519PrivateKeyParameters(RANDOM));
    }
  }

  static List<String> siteIds(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(String.format("site-%02d", i));
    }
    return ids;
  }

  MessageSigner signer(String site) {
    Ed25519PrivateKeyParameters key = identityKeys.get(site);
    return message -> {
      Ed25519Signer signer = new Ed25519Signer();
      signer.init(true, key);
      signer.update(message, 0, message.length);
      return signer.generateSignature();
    };
  }

  SignatureVerifier verifier() {
    return (site, message, signature) -> {
      Ed25519PrivateKeyParameters key = identityKeys.get(site);
      if (key == null) {
        return false;
      }
      Ed25519PublicKeyParameters publicKey = key.generatePublicKey();
      Ed25519Signer verifier = new Ed25519Signer();
      verifier.init(false, publicKey);
      verifier.update(message, 0, message.length);
      return verifier.verifySignature(signature);
    };
  }

  SecAggClient client(String site) {
    return SecAggClient.create(parameters, site, signer(site), verifier(), RANDOM);
  }

  SecAggServer server() {
    return new SecAggServer(parameters, verifier());
  }

  /** A round's outcome: the result, or the refusal and the phase whose close (or step) failed. */
  record Outcome(
      AggregateResult result, SecAggException failure, Phase failedIn, SecAggServer server) {}

  /**
   * Runs a whole round. Sites listed under a phase drop at the start of that phase (they send
   * nothing from then on). Failures of clients are reported like the server's.
   */
  Outcome run(Map<String, double[]> updates, Map<Phase, Set<String>> dropsAt) throws Exception {
    SecAggServer server = server();
    Map<String, SecAggClient> clients = new HashMap<>();
    for (String site : parameters.sites()) {
      clients.put(site, client(site));
    }
    Phase phase = Phase.ADVERTISE_KEYS;
    try {
      List<String> alive = alive(parameters.sites(), dropsAt, Phase.ADVERTISE_KEYS);
      for (String site : alive) {
        server.receive(site, clients.get(site).advertiseKeys());
      }
      List<AdvertiseKeys> keys = server.closeAdvertising();
      phase = Phase.SHARE_KEYS;
      alive = alive(sitesOf(keys), dropsAt, phase);
      for (String site : alive) {
        server.receive(site, clients.get(site).shareKeys(keys));
      }
      Map<String, List<EncryptedShare>> routed = server.closeSharing();
      phase = Phase.MASKED_INPUT;
      alive = alive(List.copyOf(routed.keySet()), dropsAt, phase);
      for (String site : alive) {
        MaskedInput masked = clients.get(site).maskInput(routed.get(site), updates.get(site));
        server.receive(site, masked);
      }
      UnmaskRequest request = server.closeMasking();
      phase = Phase.UNMASKING;
      alive = alive(request.survivors(), dropsAt, phase);
      for (String site : alive) {
        server.receive(site, clients.get(site).unmask(request));
      }
      return new Outcome(server.finish(), null, null, server);
    } catch (SecAggException e) {
      return new Outcome(null, e, phase, server);
    }
  }

  static Map<Phase, Set<String>> noDrops() {
    return new EnumMap<>(Phase.class);
  }

  private static List<String> sitesOf(List<AdvertiseKeys> keys) {
    return keys.stream().map(AdvertiseKeys::siteId).toList();
  }

  private static List<String> alive(
      List<String> sites, Map<Phase, Set<String>> dropsAt, Phase phase) {
    Set<String> dropped = dropsAt.getOrDefault(phase, Set.of());
    return sites.stream().filter(s -> !dropped.contains(s)).toList();
  }
}
