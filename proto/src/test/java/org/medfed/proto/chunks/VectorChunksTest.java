package org.medfed.proto.chunks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.medfed.proto.v1.VectorChunk;

class VectorChunksTest {

  @Property(tries = 200)
  void splitThenAssembleGivesTheVectorBack(
      @ForAll @Size(max = 300) List<@IntRange(min = -1000, max = 1000) Integer> raw,
      @ForAll @IntRange(min = 1, max = 64) int maxChunk) {
    float[] values = new float[raw.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = raw.get(i) / 7f;
    }
    VectorAssembler assembler = new VectorAssembler(values.length);
    for (VectorChunk chunk : VectorChunks.split(values, 0, maxChunk)) {
      assertTrue(chunk.getValuesCount() <= maxChunk);
      assertEquals(java.util.Optional.empty(), assembler.accept(chunk));
    }
    assertTrue(assembler.complete());
    assertArrayEquals(values, assembler.values());
    assertTrue(assembler.matches(VectorChunks.sha256(values)));
  }

  @Test
  void defaultChunkStaysFarBelowTheGrpcMessageLimit() {
    float[] values = new float[VectorChunks.DEFAULT_MAX_CHUNK_ELEMENTS * 3];
    VectorChunk chunk =
        VectorChunks.split(values, 0, VectorChunks.DEFAULT_MAX_CHUNK_ELEMENTS).getFirst();
    assertTrue(chunk.getSerializedSize() < 1024 * 1024, "chunk is " + chunk.getSerializedSize());
  }

  @Test
  void resumingFromAnOffsetSendsOnlyTheRest() {
    float[] values = {1, 2, 3, 4, 5};
    List<VectorChunk> rest = VectorChunks.split(values, 3, 10);
    assertEquals(1, rest.size());
    assertEquals(3, rest.getFirst().getOffset());
    assertEquals(2, rest.getFirst().getValuesCount());
  }

  @Test
  void outOfOrderChunkIsRefusedAndChangesNothing() {
    float[] values = {1, 2, 3, 4};
    List<VectorChunk> chunks = VectorChunks.split(values, 0, 2);
    VectorAssembler assembler = new VectorAssembler(4);
    assertTrue(assembler.accept(chunks.get(1)).orElseThrow().contains("expected 0"));
    assertEquals(0, assembler.received());
  }

  @Test
  void nanIsRefusedNamingTheElement() {
    VectorAssembler assembler = new VectorAssembler(2);
    VectorChunk chunk =
        VectorChunk.newBuilder()
            .setOffset(0)
            .setTotalLength(2)
            .addValues(1f)
            .addValues(Float.NaN)
            .build();
    assertTrue(assembler.accept(chunk).orElseThrow().contains("element 1 is NaN"));
    assertFalse(assembler.complete());
  }

  @Test
  void wrongTotalLengthIsRefused() {
    VectorAssembler assembler = new VectorAssembler(3);
    VectorChunk chunk =
        VectorChunk.newBuilder().setOffset(0).setTotalLength(4).addValues(1f).build();
    assertTrue(assembler.accept(chunk).orElseThrow().contains("expected 3"));
  }

  @Test
  void digestDetectsAChangedValue() {
    float[] values = {1, 2, 3};
    byte[] digest = VectorChunks.sha256(values);
    VectorAssembler assembler = new VectorAssembler(3);
    assembler.accept(VectorChunks.split(new float[] {1, 2, 3.0001f}, 0, 8).getFirst());
    assertFalse(assembler.matches(digest));
  }
}
