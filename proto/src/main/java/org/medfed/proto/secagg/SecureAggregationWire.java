package org.medfed.proto.secagg;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.medfed.crypto.dp.DistributedDiscreteGaussian;
import org.medfed.crypto.secagg.MaskingGraph;
import org.medfed.crypto.secagg.Quantizer;
import org.medfed.crypto.secagg.RoundParameters;
import org.medfed.crypto.secagg.SecAggMessage;
import org.medfed.proto.v1.AdvertisedKeys;
import org.medfed.proto.v1.DistributedNoise;
import org.medfed.proto.v1.EncryptedShare;
import org.medfed.proto.v1.MaskedChunk;
import org.medfed.proto.v1.RevealedShare;
import org.medfed.proto.v1.SecretKind;
import org.medfed.proto.v1.SecureAggregationRound;

/**
 * The one translation between the wire messages of secure aggregation and the protocol's own
 * messages, shared by the coordinator and the sites so both derive the same round parameters.
 */
public final class SecureAggregationWire {
  private SecureAggregationWire() {}

  /**
   * The protocol's round parameters. The protocol's round number is a session id hashed from the
   * study, the round and the coordinator's round seed, so keys signed for one study's round can
   * never be replayed into another study or another round.
   *
   * @throws IllegalArgumentException if the specification is inconsistent (threshold, bits,
   *     neighbours, sites)
   */
  public static RoundParameters parameters(String studyId, int round, SecureAggregationRound spec) {
    byte[] seed = spec.getRoundSeed().toByteArray();
    if (seed.length != 32) {
      throw new IllegalArgumentException("round_seed must be 32 bytes, got " + seed.length);
    }
    MaskingGraph graph =
        spec.getNeighbours() == 0
            ? new MaskingGraph.Complete()
            : new MaskingGraph.Harary(spec.getNeighbours(), seed);
    return new RoundParameters(
        sessionId(studyId, round, seed),
        spec.getSitesList(),
        spec.getVectorLength(),
        spec.getThreshold(),
        new Quantizer(spec.getClip(), spec.getBits(), spec.getSitesCount()),
        graph);
  }

  /**
   * The round's model update from its unmasked sum, as the coordinator applies it and an auditor
   * recomputes it: with distributed noise the FedSGD step of {@link
   * DistributedDiscreteGaussian#descentStep}, otherwise {@link #weightedMean}.
   *
   * @throws IllegalArgumentException if the sum does not fit the specification
   */
  public static double[] meanUpdate(double[] sum, SecureAggregationRound spec) {
    if (spec.hasDistributedNoise()) {
      return distributedNoise(spec).descentStep(sum, spec.getDistributedNoise().getLearningRate());
    }
    return weightedMean(sum, spec.getClip());
  }

  /**
   * The distributed-noise mechanism a round specifies: n is its site count, D its vector length.
   *
   * @throws IllegalArgumentException if the round has no distributed noise or its parameters are
   *     invalid
   */
  public static DistributedDiscreteGaussian distributedNoise(SecureAggregationRound spec) {
    if (!spec.hasDistributedNoise()) {
      throw new IllegalArgumentException("the round adds no distributed noise");
    }
    DistributedNoise noise = spec.getDistributedNoise();
    return new DistributedDiscreteGaussian(
        noise.getNoiseMultiplier(),
        noise.getClippingNorm(),
        noise.getSamplingRate(),
        noise.getScale(),
        spec.getSitesCount(),
        spec.getVectorLength());
  }

  /**
   * The record-weighted mean update from a round's decoded sum: each site sent {@code [w·Δ,
   * w·clip]} with w its weight, so the sum's model elements divided by the summed weight are
   * FedAvg's mean.
   *
   * @throws IllegalArgumentException if the summed weight is not positive
   */
  public static double[] weightedMean(double[] sum, double clip) {
    int d = sum.length - 1;
    double weight = sum[d] / clip;
    if (!(weight > 0)) {
      throw new IllegalArgumentException(
          "the contributors' summed weight is " + weight + ", not positive");
    }
    double[] mean = new double[d];
    for (int i = 0; i < d; i++) {
      mean[i] = sum[i] / weight;
    }
    return mean;
  }

  /** A positive 63-bit id naming one round of one study with one coordinator seed. */
  public static long sessionId(String studyId, int round, byte[] roundSeed) {
    MessageDigest sha = sha256();
    sha.update("medfed-secagg-session-v1\n".getBytes(StandardCharsets.UTF_8));
    sha.update((studyId + "\n" + round + "\n").getBytes(StandardCharsets.UTF_8));
    sha.update(roundSeed);
    return ByteBuffer.wrap(sha.digest()).getLong() & Long.MAX_VALUE;
  }

  public static AdvertisedKeys toProto(SecAggMessage.AdvertiseKeys keys, byte[] certificate) {
    return AdvertisedKeys.newBuilder()
        .setSiteId(keys.siteId())
        .setEncryptionKey(ByteString.copyFrom(keys.encryptionKey()))
        .setMaskingKey(ByteString.copyFrom(keys.maskingKey()))
        .setSignature(ByteString.copyFrom(keys.signature()))
        .setSiteCertificate(ByteString.copyFrom(certificate))
        .build();
  }

  public static SecAggMessage.AdvertiseKeys fromProto(long session, AdvertisedKeys keys) {
    return new SecAggMessage.AdvertiseKeys(
        session,
        keys.getSiteId(),
        keys.getEncryptionKey().toByteArray(),
        keys.getMaskingKey().toByteArray(),
        keys.getSignature().toByteArray());
  }

  public static EncryptedShare toProto(SecAggMessage.EncryptedShare share) {
    return EncryptedShare.newBuilder()
        .setSender(share.sender())
        .setRecipient(share.recipient())
        .setCiphertext(ByteString.copyFrom(share.ciphertext()))
        .build();
  }

  public static SecAggMessage.EncryptedShare fromProto(long session, EncryptedShare share) {
    return new SecAggMessage.EncryptedShare(
        session, share.getSender(), share.getRecipient(), share.getCiphertext().toByteArray());
  }

  public static List<SecAggMessage.EncryptedShare> fromProto(
      long session, List<EncryptedShare> shares) {
    List<SecAggMessage.EncryptedShare> out = new ArrayList<>(shares.size());
    shares.forEach(share -> out.add(fromProto(session, share)));
    return out;
  }

  public static RevealedShare toProto(SecAggMessage.RevealedShare share) {
    return RevealedShare.newBuilder()
        .setOwner(share.owner())
        .setKind(
            share.kind() == SecAggMessage.SecretKind.SELF_MASK_SEED
                ? SecretKind.SECRET_KIND_SELF_MASK_SEED
                : SecretKind.SECRET_KIND_MASKING_KEY)
        .setShare(ByteString.copyFrom(share.share()))
        .build();
  }

  /**
   * @throws IllegalArgumentException if the kind is unspecified or unknown
   */
  public static SecAggMessage.RevealedShare fromProto(RevealedShare share) {
    SecAggMessage.SecretKind kind =
        switch (share.getKind()) {
          case SECRET_KIND_SELF_MASK_SEED -> SecAggMessage.SecretKind.SELF_MASK_SEED;
          case SECRET_KIND_MASKING_KEY -> SecAggMessage.SecretKind.MASKING_KEY;
          default ->
              throw new IllegalArgumentException(
                  "share of " + share.getOwner() + " has no secret kind");
        };
    return new SecAggMessage.RevealedShare(share.getOwner(), kind, share.getShare().toByteArray());
  }

  /** The vector's chunks of at most {@code maxChunkElements} little-endian uint32 values. */
  public static List<MaskedChunk> split(int[] values, int maxChunkElements) {
    if (maxChunkElements < 1) {
      throw new IllegalArgumentException("maxChunkElements must be positive");
    }
    List<MaskedChunk> chunks = new ArrayList<>();
    for (int offset = 0; offset < values.length; offset += maxChunkElements) {
      int count = Math.min(maxChunkElements, values.length - offset);
      chunks.add(
          MaskedChunk.newBuilder()
              .setOffset(offset)
              .setTotalLength(values.length)
              .setValues(ByteString.copyFrom(littleEndian(values, offset, count)))
              .build());
    }
    return chunks;
  }

  /** SHA-256 over the vector as little-endian uint32 values, as the header and the log carry. */
  public static byte[] sha256(int[] values) {
    MessageDigest sha = sha256();
    int step = 16_384;
    for (int offset = 0; offset < values.length; offset += step) {
      sha.update(littleEndian(values, offset, Math.min(step, values.length - offset)));
    }
    return sha.digest();
  }

  /** The vector as little-endian uint32 values, as the SHA-256 covers it. */
  public static byte[] littleEndian(int[] values) {
    return littleEndian(values, 0, values.length);
  }

  static byte[] littleEndian(int[] values, int offset, int count) {
    ByteBuffer buffer = ByteBuffer.allocate(count * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asIntBuffer().put(values, offset, count);
    return buffer.array();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }
}
