package org.medfed.site.secagg;

import com.google.protobuf.ByteString;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.medfed.crypto.dp.DistributedDiscreteGaussian;
import org.medfed.crypto.secagg.RoundParameters;
import org.medfed.crypto.secagg.SecAggClient;
import org.medfed.crypto.secagg.SecAggException;
import org.medfed.crypto.secagg.SecAggMessage;
import org.medfed.crypto.secagg.SiteCertificates;
import org.medfed.proto.secagg.SecureAggregationWire;
import org.medfed.proto.v1.AdvertiseKeysRequest;
import org.medfed.proto.v1.AdvertisedKeys;
import org.medfed.proto.v1.MaskInputTask;
import org.medfed.proto.v1.RevealSharesRequest;
import org.medfed.proto.v1.SecureAggregationRound;
import org.medfed.proto.v1.ShareKeysRequest;
import org.medfed.proto.v1.ShareKeysTask;
import org.medfed.proto.v1.UnmaskTask;
import org.medfed.site.train.DpSgdSettings;

/**
 * This site's part in one secure-aggregation round. It holds the site's weighted update until the
 * masking phase and never sends it unmasked; the protocol state machine refuses to reveal both
 * secrets of any site, so a coordinator that lies about who dropped learns nothing from us.
 */
public final class SecureRoundClient {
  private final String studyId;
  private final int round;
  private final long session;
  private final SecAggClient client;
  private final SiteCertificates certificates;
  private final double[] weighted;
  private final byte[] ownCertificate;

  private SecureRoundClient(
      String studyId,
      int round,
      long session,
      SecAggClient client,
      SiteCertificates certificates,
      double[] weighted,
      byte[] ownCertificate) {
    this.studyId = studyId;
    this.round = round;
    this.session = session;
    this.client = client;
    this.certificates = certificates;
    this.weighted = weighted;
    this.ownCertificate = ownCertificate;
  }

  /**
   * Checks, before any training, that this site will take part in the round as specified.
   *
   * @throws RefusedRound with the reason to decline the round
   */
  public static RoundParameters check(
      String studyId,
      int round,
      SecureAggregationRound spec,
      String siteId,
      int parameterCount,
      long records)
      throws RefusedRound {
    RoundParameters parameters;
    try {
      parameters = SecureAggregationWire.parameters(studyId, round, spec);
    } catch (IllegalArgumentException e) {
      throw new RefusedRound("the secure-aggregation parameters are unusable: " + e.getMessage());
    }
    int n = parameters.sites().size();
    if (!parameters.sites().contains(siteId)) {
      throw new RefusedRound("this site is not among the round's secure-aggregation sites");
    }
    // Below a majority, a coordinator that splits the sites into groups could unmask each group.
    if (spec.getNeighbours() == 0 && 2 * parameters.threshold() <= n) {
      throw new RefusedRound(
          "the secure-aggregation threshold "
              + parameters.threshold()
              + " is not above half of the "
              + n
              + " sites; this site requires more than n/2");
    }
    if (spec.getVectorLength() != parameterCount + 1) {
      throw new RefusedRound(
          "the masked vector length "
              + spec.getVectorLength()
              + " does not fit a model of "
              + parameterCount
              + " parameters plus a weight");
    }
    if (spec.getRecordScale() < records) {
      throw new RefusedRound(
          "this site trains on more records than the study's record scale "
              + spec.getRecordScale()
              + ", so its weight would be clipped");
    }
    return parameters;
  }

  /**
   * Checks the round against what this site accepts and prepares its contribution: the update times
   * the site's weight, then the weight itself (times clip, so it lies in the clipping range).
   *
   * @param delta the locally trained weights minus the global weights
   * @param records training records behind the update
   * @throws RefusedRound with the reason to decline the round, if the site will not take part
   */
  public static SecureRoundClient prepare(
      String studyId,
      int round,
      SecureAggregationRound spec,
      String siteId,
      SigningIdentity identity,
      X509Certificate ca,
      double[] delta,
      long records)
      throws RefusedRound {
    RoundParameters parameters = check(studyId, round, spec, siteId, delta.length, records);
    if (spec.hasDistributedNoise()) {
      throw new RefusedRound(
          "the round asks for distributed noise but the study's privacy settings do not");
    }
    double weight = (double) records / spec.getRecordScale();
    double[] weighted = new double[delta.length + 1];
    for (int i = 0; i < delta.length; i++) {
      weighted[i] = weight * delta[i];
    }
    weighted[delta.length] = weight * spec.getClip();
    return create(studyId, round, spec, siteId, identity, ca, parameters, weighted);
  }

  /**
   * Checks a distributed-noise round against the study's privacy settings the site accepted: the
   * same σ, C and q, a quantiser that leaves integers unchanged, and 32-bit headroom for the
   * round's sites. The returned mechanism is what the site adds and accounts.
   *
   * @throws RefusedRound with the reason to decline the round
   */
  public static DistributedDiscreteGaussian checkDistributedNoise(
      SecureAggregationRound spec, DpSgdSettings study) throws RefusedRound {
    if (!spec.hasDistributedNoise()) {
      throw new RefusedRound(
          "the study adds distributed noise but the round's secure aggregation carries none");
    }
    DistributedDiscreteGaussian noise;
    try {
      noise = SecureAggregationWire.distributedNoise(spec);
    } catch (IllegalArgumentException e) {
      throw new RefusedRound("the round's distributed noise is unusable: " + e.getMessage());
    }
    if (noise.noiseMultiplier() < study.noiseMultiplier()
        || noise.clippingNorm() != study.clippingNorm()
        || noise.samplingRate() != study.samplingRate()) {
      throw new RefusedRound(
          "the round's distributed noise (noise multiplier "
              + noise.noiseMultiplier()
              + ", clipping norm "
              + noise.clippingNorm()
              + ", sampling rate "
              + noise.samplingRate()
              + ") differs from the study's privacy settings this site accepted");
    }
    long range = DistributedDiscreteGaussian.siteRange(spec.getSitesCount());
    if (spec.getClip() != range || spec.getBits() != Long.numberOfTrailingZeros(range + 1) + 1) {
      throw new RefusedRound(
          "the round's quantiser would alter the integers of distributed noise (clip "
              + spec.getClip()
              + ", bits "
              + spec.getBits()
              + "; expected clip "
              + range
              + ")");
    }
    if (noise.siteBound(spec.getRecordScale()) > range) {
      throw new RefusedRound(
          "the round's scale "
              + noise.scale()
              + " leaves no 32-bit headroom for "
              + spec.getSitesCount()
              + " sites' sums of up to "
              + spec.getRecordScale()
              + " records");
    }
    return noise;
  }

  /**
   * Prepares a distributed-noise contribution: the integers of {@link
   * DistributedDiscreteGaussian#encode}, which already carry this site's noise; the round's
   * quantiser (scale 1) masks them unchanged.
   *
   * @throws RefusedRound with the reason to decline the round, if the site will not take part
   */
  public static SecureRoundClient prepareIntegers(
      String studyId,
      int round,
      SecureAggregationRound spec,
      String siteId,
      SigningIdentity identity,
      X509Certificate ca,
      long[] integers,
      long records)
      throws RefusedRound {
    RoundParameters parameters = check(studyId, round, spec, siteId, integers.length - 1, records);
    if (!spec.hasDistributedNoise()) {
      throw new RefusedRound("the round carries no distributed noise for an integer contribution");
    }
    double[] values = new double[integers.length];
    for (int i = 0; i < integers.length; i++) {
      values[i] = integers[i];
    }
    return create(studyId, round, spec, siteId, identity, ca, parameters, values);
  }

  private static SecureRoundClient create(
      String studyId,
      int round,
      SecureAggregationRound spec,
      String siteId,
      SigningIdentity identity,
      X509Certificate ca,
      RoundParameters parameters,
      double[] values) {
    SiteCertificates certificates = new SiteCertificates(ca, Clock.systemUTC());
    SecAggClient client =
        SecAggClient.create(
            parameters, siteId, identity.signer()::sign, certificates, new SecureRandom());
    return new SecureRoundClient(
        studyId,
        round,
        parameters.round(),
        client,
        certificates,
        values,
        identity.certificateDer());
  }

  public String studyId() {
    return studyId;
  }

  public int round() {
    return round;
  }

  /** Phase 1: fresh key pairs, signed with the site's identity key. */
  public AdvertiseKeysRequest advertise() throws GeneralSecurityException {
    SecAggMessage.AdvertiseKeys keys = client.advertiseKeys();
    return AdvertiseKeysRequest.newBuilder()
        .setStudyId(studyId)
        .setRound(round)
        .setEncryptionKey(ByteString.copyFrom(keys.encryptionKey()))
        .setMaskingKey(ByteString.copyFrom(keys.maskingKey()))
        .setSignature(ByteString.copyFrom(keys.signature()))
        .setSiteCertificate(ByteString.copyFrom(ownCertificate))
        .build();
  }

  /**
   * Phase 2: checks every advertised key's signature against a consortium certificate for its site,
   * then encrypts shares of this site's secrets to its neighbours.
   */
  public ShareKeysRequest share(ShareKeysTask task) throws SecAggException {
    List<SecAggMessage.AdvertiseKeys> advertised = new ArrayList<>();
    for (AdvertisedKeys keys : task.getKeysList()) {
      certificates.add(keys.getSiteId(), keys.getSiteCertificate().toByteArray());
      advertised.add(SecureAggregationWire.fromProto(session, keys));
    }
    SecAggMessage.ShareKeys shares = client.shareKeys(advertised);
    ShareKeysRequest.Builder request =
        ShareKeysRequest.newBuilder().setStudyId(studyId).setRound(round);
    shares.shares().forEach(share -> request.addShares(SecureAggregationWire.toProto(share)));
    return request.build();
  }

  /** Phase 3: the quantised weighted update plus self and pairwise masks. */
  public int[] mask(MaskInputTask task) throws SecAggException {
    return client
        .maskInput(SecureAggregationWire.fromProto(session, task.getSharesList()), weighted)
        .maskedVector();
  }

  /** Phase 4: the shares that remove the contributors' self masks and the dropped sites' masks. */
  public RevealSharesRequest unmask(UnmaskTask task) throws SecAggException {
    SecAggMessage.UnmaskShares shares =
        client.unmask(new SecAggMessage.UnmaskRequest(session, task.getContributorsList()));
    RevealSharesRequest.Builder request =
        RevealSharesRequest.newBuilder().setStudyId(studyId).setRound(round);
    shares.shares().forEach(share -> request.addShares(SecureAggregationWire.toProto(share)));
    return request.build();
  }

  /** The site will not take part in a round; the message is the reason it declines with. */
  public static final class RefusedRound extends Exception {
    private static final long serialVersionUID = 1L;

    public RefusedRound(String reason) {
      super(reason);
    }
  }
}
