package org.medfed.site.prep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.site.data.DataException;
import org.medfed.site.data.RawRow;

class TrainTestSplitTest {
  @TempDir Path dir;

  private Path splitFile(String... rows) throws IOException {
    return Files.writeString(
        dir.resolve("split.csv"),
        TrainTestSplit.FromFile.HEADER + "\n" + String.join("\n", rows) + "\n");
  }

  private static List<RawRow> rows(int... lines) {
    List<RawRow> out = new ArrayList<>();
    for (int line : lines) {
      out.add(new RawRow(line, new double[] {line}));
    }
    return out;
  }

  @Test
  void fileDecidesByDataFileLine() throws IOException, DataException {
    Path file = splitFile("0,a,1,train,0", "0,a,3,test,1", "1,b,2,test,0");
    TrainTestSplit split = TrainTestSplit.fromFile(file, "a");
    assertArrayEquals(new boolean[] {true, false}, split.assign(rows(1, 3), new int[] {0, 1}));
    assertTrue(((TrainTestSplit.FromFile) split).isTrain(new RawRow(1, new double[0])));
  }

  @Test
  void unknownCentreListsTheKnownOnes() throws IOException {
    Path file = splitFile("0,cleveland,1,train,0", "3,va,1,test,1");
    DataException e =
        assertThrows(DataException.class, () -> TrainTestSplit.fromFile(file, "zurich"));
    assertEquals(
        "split.csv has no rows for centre 'zurich' (centres: cleveland, va)", e.getMessage());
  }

  @Test
  void labelDisagreementIsReported() throws IOException, DataException {
    TrainTestSplit split = TrainTestSplit.fromFile(splitFile("0,a,1,train,1"), "a");
    DataException e = assertThrows(DataException.class, () -> split.assign(rows(1), new int[] {0}));
    assertEquals(
        "split.csv records label 1 for line 1 of centre 'a', but the data give label 0",
        e.getMessage());
  }

  @Test
  void keptRowAbsentFromTheFileIsReported() throws IOException, DataException {
    TrainTestSplit split = TrainTestSplit.fromFile(splitFile("0,a,1,train,0"), "a");
    DataException e =
        assertThrows(DataException.class, () -> split.assign(rows(1, 2), new int[] {0, 0}));
    assertEquals(
        "split.csv has no entry for line 2 of centre 'a', which preprocessing kept",
        e.getMessage());
  }

  @Test
  void listedRowThatWasDroppedIsReported() throws IOException, DataException {
    TrainTestSplit split = TrainTestSplit.fromFile(splitFile("0,a,1,train,0", "0,a,2,test,0"), "a");
    DataException e = assertThrows(DataException.class, () -> split.assign(rows(1), new int[] {0}));
    assertEquals(
        "split.csv lists line 2 of centre 'a', which the data file lacks or "
            + "preprocessing dropped",
        e.getMessage());
  }

  @Test
  void badSplitValueNamesLineAndColumn() throws IOException {
    Path file = splitFile("0,a,1,validation,0");
    DataException e = assertThrows(DataException.class, () -> TrainTestSplit.fromFile(file, "a"));
    assertEquals(
        "split.csv line 2, column 'split': 'validation' is neither 'train' nor 'test'",
        e.getMessage());
  }

  @Test
  void seededSplitIsStratifiedAndDeterministic() throws DataException {
    int n = 100;
    List<RawRow> rows = new ArrayList<>();
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      rows.add(new RawRow(i + 1, new double[] {i}));
      labels[i] = i < 30 ? 1 : 0;
    }
    boolean[] a = TrainTestSplit.seeded(0.7, 7).assign(rows, labels);
    assertArrayEquals(a, TrainTestSplit.seeded(0.7, 7).assign(rows, labels));
    assertFalse(java.util.Arrays.equals(a, TrainTestSplit.seeded(0.7, 8).assign(rows, labels)));
    int trainPositives = 0;
    int train = 0;
    for (int i = 0; i < n; i++) {
      if (a[i]) {
        train++;
        trainPositives += labels[i];
      }
    }
    assertEquals(70, train);
    assertEquals(21, trainPositives);
  }

  @Test
  void seededFractionMustBeAProperShare() {
    assertThrows(IllegalArgumentException.class, () -> TrainTestSplit.seeded(1.0, 1));
    assertThrows(IllegalArgumentException.class, () -> TrainTestSplit.seeded(0.0, 1));
    assertThrows(IllegalArgumentException.class, () -> TrainTestSplit.seeded(Double.NaN, 1));
  }
}
