package org.medfed.site.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medfed.crypto.dp.DistributedDiscreteGaussian;
import org.medfed.crypto.secagg.Quantizer;
import org.medfed.proto.v1.DistributedNoise;
import org.medfed.proto.v1.SecureAggregationRound;
import org.medfed.site.train.DpSgdSettings;

class DistributedNoiseRoundCheckTest {
  private static final DpSgdSettings STUDY = new DpSgdSettings(1.0, 3.0, 0.2);
  private static final DistributedDiscreteGaussian FITTED =
      DistributedDiscreteGaussian.fitting(3.0, 1.0, 0.2, 4, 15, 10_000);

  /** The round as the coordinator opens it for four sites. */
  private static SecureAggregationRound.Builder round() {
    long range = DistributedDiscreteGaussian.siteRange(4);
    return SecureAggregationRound.newBuilder()
        .addAllSites(List.of("a", "b", "c", "d"))
        .setThreshold(3)
        .setVectorLength(15)
        .setClip(range)
        .setBits(Quantizer.withHeadroom(1.0, 4).bits())
        .setRoundSeed(ByteString.copyFrom(new byte[32]))
        .setRecordScale(10_000)
        .setDistributedNoise(
            DistributedNoise.newBuilder()
                .setNoiseMultiplier(3.0)
                .setClippingNorm(1.0)
                .setSamplingRate(0.2)
                .setScale(FITTED.scale())
                .setLearningRate(0.5));
  }

  private static String refusal(SecureAggregationRound.Builder round) {
    return assertThrows(
            SecureRoundClient.RefusedRound.class,
            () -> SecureRoundClient.checkDistributedNoise(round.build(), STUDY))
        .getMessage();
  }

  @Test
  void roundAsTheCoordinatorOpensItIsAcceptedWithTheStudysNoise() throws Exception {
    DistributedDiscreteGaussian noise =
        SecureRoundClient.checkDistributedNoise(round().build(), STUDY);
    assertEquals(FITTED, noise);
  }

  @Test
  void lessNoiseThanTheStudyPromisedIsRefused() {
    SecureAggregationRound.Builder round = round();
    round.getDistributedNoiseBuilder().setNoiseMultiplier(2.9);
    assertTrue(refusal(round).contains("differs from the study's privacy settings"));
  }

  @Test
  void aQuantiserThatWouldRescaleTheIntegersIsRefused() {
    assertTrue(refusal(round().setClip(1.0)).contains("quantiser would alter"));
  }

  @Test
  void aScaleWithoutHeadroomForTheSitesSumsIsRefused() {
    SecureAggregationRound.Builder round = round();
    round.getDistributedNoiseBuilder().setScale(FITTED.scale() * 100);
    assertTrue(refusal(round).contains("no 32-bit headroom"));
  }

  @Test
  void aRoundWithoutDistributedNoiseIsRefusedForADistributedStudy() {
    assertTrue(refusal(round().clearDistributedNoise()).contains("carries none"));
  }
}
