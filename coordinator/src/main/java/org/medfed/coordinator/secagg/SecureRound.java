package org.medfed.coordinator.secagg;

import com.google.protobuf.ByteString;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.medfed.coordinator.study.PrivacyConfig;
import org.medfed.coordinator.study.SecureAggregationConfig;
import org.medfed.crypto.dp.DistributedDiscreteGaussian;
import org.medfed.crypto.secagg.AggregateResult;
import org.medfed.crypto.secagg.Phase;
import org.medfed.crypto.secagg.Quantizer;
import org.medfed.crypto.secagg.RoundParameters;
import org.medfed.crypto.secagg.SecAggException;
import org.medfed.crypto.secagg.SecAggMessage;
import org.medfed.crypto.secagg.SecAggServer;
import org.medfed.crypto.secagg.SiteCertificates;
import org.medfed.proto.secagg.SecureAggregationWire;
import org.medfed.proto.v1.AdvertiseKeysRequest;
import org.medfed.proto.v1.AdvertisedKeys;
import org.medfed.proto.v1.DistributedNoise;
import org.medfed.proto.v1.EncryptedShare;
import org.medfed.proto.v1.RevealSharesRequest;
import org.medfed.proto.v1.SecureAggregationRound;
import org.medfed.proto.v1.ShareKeysRequest;

/**
 * The coordinator's side of one secure-aggregation round, in wire terms: it checks each site
 * message with the protocol's server state machine and routes what the sites need next. It holds
 * masked vectors only; the protocol refuses any message that would let it unmask one site.
 *
 * <p>Not thread-safe: the round engine calls it under its lock.
 */
public final class SecureRound {
  /**
   * Each site's masked vector carries its weight w = records / record_scale, in (0, 1], as one
   * extra element holding w·clip, so that the weight is inside the clipping range too.
   */
  public static final int WEIGHT_ELEMENTS = 1;

  /**
   * With distributed noise the extra element is instead the noisy count of sampled records, C per
   * record, which the FedSGD step divides by.
   */
  public static final int COUNT_ELEMENTS = 1;

  private final SecureAggregationRound spec;
  private final long session;
  private final SecAggServer server;
  private final SiteCertificates certificates;
  private final Map<String, ByteString> certificateBySite = new TreeMap<>();

  private SecureRound(
      SecureAggregationRound spec, RoundParameters parameters, SiteCertificates certificates) {
    this.spec = spec;
    this.session = parameters.round();
    this.certificates = certificates;
    this.server = new SecAggServer(parameters, certificates);
  }

  /**
   * Opens a round for these participants with a fresh public round seed.
   *
   * @param privacy the study's differential privacy, or null; with distributed noise the sites mask
   *     integers (see {@link DistributedDiscreteGaussian}) and the round's update is the FedSGD
   *     step
   * @param learningRate the sites' learning rate, which the FedSGD step applies at the coordinator
   * @throws IllegalArgumentException if the configuration cannot run with this many participants (a
   *     threshold above n, SecAgg+ neighbours not below n, no 32-bit headroom for distributed
   *     noise); the message says which
   */
  public static SecureRound open(
      String studyId,
      int round,
      List<String> participants,
      int parameterCount,
      SecureAggregationConfig config,
      PrivacyConfig privacy,
      double learningRate,
      X509Certificate consortiumCa,
      SecureRandom random,
      Clock clock) {
    int n = participants.size();
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    Quantizer quantizer = Quantizer.withHeadroom(config.clip(), Math.max(n, 1));
    SecureAggregationRound.Builder spec =
        SecureAggregationRound.newBuilder()
            .addAllSites(participants.stream().sorted().toList())
            .setThreshold(config.thresholdFor(n))
            .setVectorLength(parameterCount + WEIGHT_ELEMENTS)
            .setClip(config.clip())
            .setBits(quantizer.bits())
            .setNeighbours(config.neighbours())
            .setRoundSeed(ByteString.copyFrom(seed))
            .setRecordScale(config.recordScale());
    if (privacy != null && privacy.distributedNoise()) {
      DistributedDiscreteGaussian noise =
          DistributedDiscreteGaussian.fitting(
              privacy.noiseMultiplier(),
              privacy.clippingNorm(),
              privacy.samplingRate(),
              Math.max(n, 1),
              parameterCount + COUNT_ELEMENTS,
              config.recordScale());
      // Scale 1: the sites' integers pass the quantiser unchanged and the sum decodes as integers.
      spec.setClip(DistributedDiscreteGaussian.siteRange(Math.max(n, 1)))
          .setDistributedNoise(
              DistributedNoise.newBuilder()
                  .setNoiseMultiplier(noise.noiseMultiplier())
                  .setClippingNorm(noise.clippingNorm())
                  .setSamplingRate(noise.samplingRate())
                  .setScale(noise.scale())
                  .setLearningRate(learningRate));
    }
    SecureAggregationRound built = spec.build();
    RoundParameters parameters = SecureAggregationWire.parameters(studyId, round, built);
    return new SecureRound(built, parameters, new SiteCertificates(consortiumCa, clock));
  }

  public SecureAggregationRound spec() {
    return spec;
  }

  public Phase phase() {
    return server.phase();
  }

  /** Phase 1. The certificate must be the authenticated site's, issued by the consortium CA. */
  public void advertise(String site, AdvertiseKeysRequest request) throws SecAggException {
    requirePhase(Phase.ADVERTISE_KEYS, "advertised keys");
    byte[] der = request.getSiteCertificate().toByteArray();
    certificates.add(site, der);
    server.receive(
        site,
        new SecAggMessage.AdvertiseKeys(
            session,
            site,
            request.getEncryptionKey().toByteArray(),
            request.getMaskingKey().toByteArray(),
            request.getSignature().toByteArray()));
    certificateBySite.put(site, request.getSiteCertificate());
  }

  /** Ends phase 1; every site that advertised receives all advertised keys with certificates. */
  public List<AdvertisedKeys> closeAdvertising() throws SecAggException {
    List<AdvertisedKeys> out = new ArrayList<>();
    for (SecAggMessage.AdvertiseKeys keys : server.closeAdvertising()) {
      out.add(
          SecureAggregationWire.toProto(keys, certificateBySite.get(keys.siteId()).toByteArray()));
    }
    return out;
  }

  /** Phase 2. */
  public void share(String site, ShareKeysRequest request) throws SecAggException {
    requirePhase(Phase.SHARE_KEYS, "shares");
    server.receive(
        site,
        new SecAggMessage.ShareKeys(
            session, site, SecureAggregationWire.fromProto(session, request.getSharesList())));
  }

  /** Ends phase 2: for each site that shared, the shares addressed to it. */
  public Map<String, List<EncryptedShare>> closeSharing() throws SecAggException {
    Map<String, List<EncryptedShare>> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<SecAggMessage.EncryptedShare>> e :
        server.closeSharing().entrySet()) {
      out.put(e.getKey(), e.getValue().stream().map(SecureAggregationWire::toProto).toList());
    }
    return out;
  }

  /** Phase 3: a complete masked vector (framing and digest already checked by the caller). */
  public void maskedInput(String site, int[] masked) throws SecAggException {
    requirePhase(Phase.MASKED_INPUT, "masked input");
    server.receive(site, new SecAggMessage.MaskedInput(session, site, masked));
  }

  /** Ends phase 3: the contributors, whose masks phase 4 removes. */
  public List<String> closeMasking() throws SecAggException {
    return server.closeMasking().survivors();
  }

  /**
   * Phase 4.
   *
   * @throws IllegalArgumentException if a share has no secret kind
   */
  public void reveal(String site, RevealSharesRequest request) throws SecAggException {
    requirePhase(Phase.UNMASKING, "revealed shares");
    List<SecAggMessage.RevealedShare> shares = new ArrayList<>();
    for (var share : request.getSharesList()) {
      shares.add(SecureAggregationWire.fromProto(share));
    }
    server.receive(site, new SecAggMessage.UnmaskShares(session, site, shares));
  }

  /** Ends phase 4: the decoded sum of the contributors' clipped, weighted updates. */
  public AggregateResult finish() throws SecAggException {
    return server.finish();
  }

  /** For each phase reached, the sites that completed the previous one but not this one. */
  public Map<Phase, List<String>> dropouts() {
    return server.dropouts();
  }

  /**
   * The round's update from the unmasked sum ({@link SecureAggregationWire#meanUpdate}): the
   * weighted mean of the sites' updates, or with distributed noise the FedSGD step.
   *
   * @throws SecAggException (INCONSISTENT) if the sum does not fit the round (a summed weight that
   *     is not positive)
   */
  public double[] meanUpdate(double[] sum) throws SecAggException {
    try {
      return SecureAggregationWire.meanUpdate(sum, spec);
    } catch (IllegalArgumentException e) {
      throw new SecAggException(SecAggException.Reason.INCONSISTENT, e.getMessage());
    }
  }

  // The protocol checks the phase too; checking first keeps a late certificate out of the map.
  private void requirePhase(Phase expected, String what) throws SecAggException {
    if (server.phase() != expected) {
      throw new SecAggException(
          SecAggException.Reason.WRONG_PHASE,
          what + " arrived in phase " + server.phase() + ", expected in " + expected);
    }
  }
}
