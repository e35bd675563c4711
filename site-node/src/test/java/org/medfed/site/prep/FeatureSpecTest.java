package org.medfed.site.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FeatureSpecTest {
  @Test
  void plainNameIsNumeric() {
    FeatureSpec age = FeatureSpec.parse("age");
    assertEquals("age", age.column());
    assertNull(age.indicatorLevel());
    assertFalse(age.isIndicator());
    assertEquals(63.5, age.encode(63.5));
  }

  @Test
  void levelMakesAnIndicatorComparedNumerically() {
    FeatureSpec cp2 = FeatureSpec.parse("cp=2");
    assertTrue(cp2.isIndicator());
    assertEquals(1.0, cp2.encode(2.0));
    assertEquals(0.0, cp2.encode(3.0));
    assertEquals(1.0, FeatureSpec.parse("cp=2.0").encode(2));
  }

  @Test
  void toStringIsTheInverseOfParse() {
    for (String s : new String[] {"age", "cp=2", "restecg=1"}) {
      assertEquals(s, FeatureSpec.parse(s).toString());
      assertEquals(FeatureSpec.parse(s), FeatureSpec.parse(FeatureSpec.parse(s).toString()));
    }
  }

  @Test
  void emptyLevelMeansNumeric() {
    assertEquals(new FeatureSpec("age", null), new FeatureSpec("age", ""));
  }

  @Test
  void nonNumericLevelIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> FeatureSpec.parse("cp=typical"));
  }

  @Test
  void blankColumnIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> FeatureSpec.parse("=2"));
  }

  @Test
  void labelIsPositiveStrictlyAboveTheThreshold() {
    LabelSpec label = new LabelSpec("num", 0.0);
    assertEquals(0, label.label(0.0));
    assertEquals(1, label.label(1.0));
    assertEquals(1, label.label(4.0));
  }
}
