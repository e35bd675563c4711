package org.medfed.site.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medfed.site.data.CsvConnector;
import org.medfed.site.data.DataException;
import org.medfed.site.data.RawRow;
import org.medfed.site.data.RawTable;
import org.medfed.site.data.SchemaMapping;

/** Checks the preprocessing against the numbers in data/heart-disease/PROVENANCE.md. */
class FlambyPreprocessingTest {
  private static final Path HEART =
      Path.of(System.getProperty("medfed.repo.root"), "data", "heart-disease");
  private static final List<String> SITES = List.of("cleveland", "hungarian", "switzerland", "va");

  private static RawTable table(String site) throws DataException {
    return CsvConnector.read(
        HEART.resolve("processed." + site + ".data"),
        SchemaMapping.load(HEART.resolve("uci-mapping.yaml")));
  }

  private static PreparedData prepared(String site) throws DataException {
    return FlambyPreprocessing.prepare(
        table(site),
        FlambyPreprocessing.FLAMBY_FEATURES,
        FlambyPreprocessing.FLAMBY_LABEL,
        TrainTestSplit.fromFile(HEART.resolve("flamby_split_rs43.csv"), site));
  }

  @Test
  void keepsFlambysRowCounts() throws DataException {
    int[] kept = {303, 261, 46, 130};
    for (int s = 0; s < SITES.size(); s++) {
      PreparedData data = prepared(SITES.get(s));
      assertEquals(kept[s], data.trainRecords() + data.testRecords(), SITES.get(s));
    }
  }

  @Test
  void splitsIntoFlambysTrainAndTestSizes() throws DataException {
    int[][] sizes = {{199, 104}, {172, 89}, {30, 16}, {85, 45}};
    for (int s = 0; s < SITES.size(); s++) {
      PreparedData data = prepared(SITES.get(s));
      assertEquals(sizes[s][0], data.trainRecords(), SITES.get(s));
      assertEquals(sizes[s][1], data.testRecords(), SITES.get(s));
    }
  }

  @Test
  void countsFlambysPositives() throws DataException {
    int[] positives = {139, 98, 45, 101};
    for (int s = 0; s < SITES.size(); s++) {
      PreparedData data = prepared(SITES.get(s));
      int sum = 0;
      for (int y : data.trainY()) {
        sum += y;
      }
      for (int y : data.testY()) {
        sum += y;
      }
      assertEquals(positives[s], sum, SITES.get(s));
    }
  }

  @Test
  void producesThirteenFeaturesInFlambyOrder() throws DataException {
    assertEquals(
        List.of(
            "age",
            "sex",
            "trestbps",
            "chol",
            "fbs",
            "thalach",
            "exang",
            "oldpeak",
            "cp=2",
            "cp=3",
            "cp=4",
            "restecg=1",
            "restecg=2"),
        prepared("cleveland").featureNames());
  }

  @Test
  void standardisedTrainColumnsHaveMeanZeroAndStdOne() throws DataException {
    for (String site : SITES) {
      PreparedData data = prepared(site);
      double[][] x = data.trainX();
      double[] rawStd = data.standardization().std();
      for (int j = 0; j < x[0].length; j++) {
        double mean = 0;
        for (double[] row : x) {
          mean += row[j];
        }
        mean /= x.length;
        double var = 0;
        for (double[] row : x) {
          var += (row[j] - mean) * (row[j] - mean);
        }
        double std = Math.sqrt(var / (x.length - 1));
        String where = site + " " + data.featureNames().get(j);
        assertEquals(0.0, mean, 1e-9, where);
        assertEquals(rawStd[j] == 0 ? 0.0 : 1.0, std, 1e-6, where);
      }
    }
  }

  @Test
  void constantSwissCholesterolStaysZero() throws DataException {
    PreparedData data = prepared("switzerland");
    int chol = data.featureNames().indexOf("chol");
    assertEquals(0.0, data.standardization().std()[chol]);
    for (double[][] part : List.of(data.trainX(), data.testX())) {
      for (double[] row : part) {
        assertEquals(0.0, row[chol]);
      }
    }
  }

  @Test
  void testRowsUseTheTrainStatistics() throws DataException {
    EncodedRows encoded =
        FlambyPreprocessing.encode(
            table("va"),
            FlambyPreprocessing.FLAMBY_FEATURES,
            FlambyPreprocessing.FLAMBY_LABEL,
            TrainTestSplit.fromFile(HEART.resolve("flamby_split_rs43.csv"), "va"));
    PreparedData data = prepared("va");
    Standardization fromTrain = Standardization.fit(encoded.trainX());
    assertEquals(fromTrain, data.standardization());
    double[] expected = fromTrain.apply(encoded.testX()[0]);
    double[] actual = data.testX()[0];
    for (int j = 0; j < expected.length; j++) {
      assertEquals(expected[j], actual[j], 0.0);
    }
    assertEquals(200 - 130, encoded.droppedRows());
  }

  @Test
  void splitFileLabelsAgreeWithComputedLabels() throws DataException, IOException {
    // Read the split file independently of TrainTestSplit, so that a bug there cannot hide one
    // here.
    Map<String, Integer> recorded = new HashMap<>();
    List<String> lines = Files.readAllLines(HEART.resolve("flamby_split_rs43.csv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      recorded.put(f[1] + ":" + f[2], Integer.parseInt(f[4]));
    }
    int checked = 0;
    for (String site : SITES) {
      RawTable table = table(site);
      int num = table.columnIndex("num");
      for (RawRow row : table.rows()) {
        if (!row.hasMissing()) {
          int label = FlambyPreprocessing.FLAMBY_LABEL.label(row.value(num));
          assertEquals(
              recorded.get(site + ":" + row.lineNumber()),
              label,
              site + " line " + row.lineNumber());
          checked++;
        }
      }
    }
    assertEquals(740, checked);
    assertEquals(740, recorded.size());
  }

  @Test
  void unmappedFeatureColumnIsNamed() throws DataException {
    DataException e =
        assertThrows(
            DataException.class,
            () ->
                FlambyPreprocessing.prepare(
                    table("cleveland"),
                    List.of(FeatureSpec.parse("thal=7")),
                    FlambyPreprocessing.FLAMBY_LABEL,
                    TrainTestSplit.seeded(0.66, 43)));
    assertTrue(
        e.getMessage().startsWith("column 'thal' is not mapped for processed.cleveland.data"),
        e.getMessage());
  }

  @Test
  void seededSplitKeepsEveryCleanRow() throws DataException {
    PreparedData data =
        FlambyPreprocessing.prepare(
            table("hungarian"),
            FlambyPreprocessing.FLAMBY_FEATURES,
            FlambyPreprocessing.FLAMBY_LABEL,
            TrainTestSplit.seeded(0.66, 43));
    assertEquals(261, data.trainRecords() + data.testRecords());
  }
}
