package org.medfed.proto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.medfed.crypto.secagg.MaskingGraph;
import org.medfed.crypto.secagg.RoundParameters;
import org.medfed.proto.v1.MaskedChunk;
import org.medfed.proto.v1.SecureAggregationRound;

class SecureAggregationWireTest {
  private static final SecureAggregationRound SPEC =
      SecureAggregationRound.newBuilder()
          .addAllSites(List.of("b", "a", "c", "d"))
          .setThreshold(3)
          .setVectorLength(15)
          .setClip(1.0)
          .setBits(30)
          .setRoundSeed(ByteString.copyFrom(new byte[32]))
          .setRecordScale(10_000)
          .build();

  @Property
  void anyVectorSurvivesChunkingAndReassembly(
      @ForAll @Size(max = 300) List<Integer> values,
      @ForAll @IntRange(min = 1, max = 64) int chunk) {
    int[] vector = values.stream().mapToInt(Integer::intValue).toArray();
    MaskedAssembler assembler = new MaskedAssembler(vector.length);
    for (MaskedChunk part : SecureAggregationWire.split(vector, chunk)) {
      assertEquals(Optional.empty(), assembler.accept(part));
    }
    assertTrue(assembler.complete());
    assertArrayEquals(vector, assembler.values());
    assertTrue(assembler.matches(SecureAggregationWire.sha256(vector)));
  }

  @Test
  void outOfOrderOrMisframedChunksAreRefusedAndChangeNothing() {
    int[] vector = {1, -2, 3, Integer.MIN_VALUE, Integer.MAX_VALUE};
    List<MaskedChunk> chunks = SecureAggregationWire.split(vector, 2);
    MaskedAssembler assembler = new MaskedAssembler(5);
    assertEquals(
        Optional.of("chunk starts at element 2, expected 0"), assembler.accept(chunks.get(1)));
    MaskedChunk ragged =
        chunks.getFirst().toBuilder().setValues(ByteString.copyFrom(new byte[7])).build();
    assertTrue(assembler.accept(ragged).orElseThrow().contains("not a multiple of 4"));
    assertEquals(0, assembler.received());
    chunks.forEach(assembler::accept);
    assertArrayEquals(vector, assembler.values());
  }

  @Test
  void theSessionIdBindsStudyRoundAndSeed() {
    byte[] seed = new byte[32];
    long session = SecureAggregationWire.sessionId("heart", 3, seed);
    assertTrue(session >= 0);
    assertNotEquals(session, SecureAggregationWire.sessionId("heart", 4, seed));
    assertNotEquals(session, SecureAggregationWire.sessionId("lung", 3, seed));
    seed[31] = 1;
    assertNotEquals(session, SecureAggregationWire.sessionId("heart", 3, seed));
  }

  @Test
  void parametersFollowTheSpecificationWithSortedSites() {
    RoundParameters parameters = SecureAggregationWire.parameters("heart", 2, SPEC);
    assertEquals(List.of("a", "b", "c", "d"), parameters.sites());
    assertEquals(3, parameters.threshold());
    assertEquals(15, parameters.vectorLength());
    assertEquals(new MaskingGraph.Complete(), parameters.graph());
    assertEquals(SecureAggregationWire.sessionId("heart", 2, new byte[32]), parameters.round());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SecureAggregationWire.parameters(
                "heart",
                2,
                SPEC.toBuilder().setRoundSeed(ByteString.copyFrom(new byte[8])).build()));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SecureAggregationWire.parameters("heart", 2, SPEC.toBuilder().setThreshold(5).build()));
  }

  @Test
  void weightedMeanDividesByTheSummedWeight() {
    // Two sites with weights 0.25 and 0.75 (clip 2, so their weight elements are 0.5 and 1.5).
    double[] sum = {0.25 * 4 + 0.75 * 8, 0.25 * -1 + 0.75 * 3, 0.5 + 1.5};
    assertArrayEquals(new double[] {7, 2}, SecureAggregationWire.weightedMean(sum, 2.0), 1e-12);
    assertThrows(
        IllegalArgumentException.class,
        () -> SecureAggregationWire.weightedMean(new double[] {1, 0}, 1.0));
  }

  @Test
  void meanUpdateIsTheWeightedMeanWithoutDistributedNoise() {
    SecureAggregationRound spec = SPEC.toBuilder().setVectorLength(3).setClip(2.0).build();
    double[] sum = {0.25 * 4 + 0.75 * 8, 0.25 * -1 + 0.75 * 3, 0.5 + 1.5};
    assertArrayEquals(
        SecureAggregationWire.weightedMean(sum, 2.0),
        SecureAggregationWire.meanUpdate(sum, spec),
        0.0);
  }

  @Test
  void meanUpdateIsTheFedSgdStepWithDistributedNoise() {
    SecureAggregationRound spec =
        SPEC.toBuilder()
            .setVectorLength(3)
            .setDistributedNoise(
                org.medfed.proto.v1.DistributedNoise.newBuilder()
                    .setNoiseMultiplier(1.0)
                    .setClippingNorm(2.0)
                    .setSamplingRate(0.1)
                    .setScale(10)
                    .setLearningRate(0.5))
            .build();
    // Integers s·(Σg, C·count) = 10·(3, -1.5, 2·5): the step is -0.5·(3, -1.5)/5.
    assertArrayEquals(
        new double[] {-0.3, 0.15},
        SecureAggregationWire.meanUpdate(new double[] {30, -15, 100}, spec),
        1e-12);
    assertEquals(4, SecureAggregationWire.distributedNoise(spec).sites());
    assertThrows(
        IllegalArgumentException.class,
        () -> SecureAggregationWire.meanUpdate(new double[] {30, 100}, spec));
  }
}
