package org.medfed.crypto.aggregation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class ModelEncodingProperties {

  @Property
  void decodingTheEncodingGivesBackEveryBitPattern(@ForAll double[] weights) {
    double[] decoded = ModelEncoding.decode(ModelEncoding.encode(weights));
    for (int i = 0; i < weights.length; i++) {
      if (Double.doubleToRawLongBits(decoded[i]) != Double.doubleToRawLongBits(weights[i])) {
        throw new AssertionError("coordinate " + i + " changed");
      }
    }
  }

  @Example
  void encodingIsLittleEndianFloat64WithoutHeader() {
    // 1.0 is 0x3FF0000000000000: its low byte first.
    assertArrayEquals(
        new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xF0, 0x3F}, ModelEncoding.encode(new double[] {1.0}));
  }

  @Example
  void bytesThatAreNotWholeFloat64ValuesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> ModelEncoding.decode(new byte[12]));
  }
}
