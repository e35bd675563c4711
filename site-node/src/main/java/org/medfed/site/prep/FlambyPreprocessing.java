package org.medfed.site.prep;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.medfed.site.data.DataException;
import org.medfed.site.data.RawRow;
import org.medfed.site.data.RawTable;

/**
 * FLamby's Fed-Heart-Disease preprocessing, applied to one site's table.
 *
 * <p>Steps: drop rows with a missing value in any mapped column (FLamby first drops slope, ca and
 * thal; a mapping that leaves them out has the same effect), derive the binary label, encode the
 * features, split, and standardise train and test with the site's own train statistics.
 */
public final class FlambyPreprocessing {

  /** FLamby's 13 features in its order: cp and restecg one-hot, with the first level dropped. */
  public static final List<FeatureSpec> FLAMBY_FEATURES =
      List.of(
          FeatureSpec.parse("age"),
          FeatureSpec.parse("sex"),
          FeatureSpec.parse("trestbps"),
          FeatureSpec.parse("chol"),
          FeatureSpec.parse("fbs"),
          FeatureSpec.parse("thalach"),
          FeatureSpec.parse("exang"),
          FeatureSpec.parse("oldpeak"),
          FeatureSpec.parse("cp=2"),
          FeatureSpec.parse("cp=3"),
          FeatureSpec.parse("cp=4"),
          FeatureSpec.parse("restecg=1"),
          FeatureSpec.parse("restecg=2"));

  /** FLamby's binary label: any angiographic narrowing, {@code num > 0}. */
  public static final LabelSpec FLAMBY_LABEL = new LabelSpec("num", 0.0);

  private FlambyPreprocessing() {}

  /** Encodes, splits and standardises one site's table with the site's own train statistics. */
  public static PreparedData prepare(
      RawTable table, List<FeatureSpec> features, LabelSpec label, TrainTestSplit split)
      throws DataException {
    EncodedRows encoded = encode(table, features, label, split);
    if (encoded.trainRecords() < 2) {
      throw new DataException(
          table.source().getFileName()
              + " has "
              + encoded.trainRecords()
              + " training rows after preprocessing, too few to standardise");
    }
    return encoded.standardize(Standardization.fit(encoded.trainX()));
  }

  /** Cleans, labels, encodes and splits one site's table, without standardising it. */
  public static EncodedRows encode(
      RawTable table, List<FeatureSpec> features, LabelSpec label, TrainTestSplit split)
      throws DataException {
    if (features.isEmpty()) {
      throw new IllegalArgumentException("at least one feature is needed");
    }
    String file = String.valueOf(table.source().getFileName());
    int[] featureColumn = new int[features.size()];
    for (int j = 0; j < featureColumn.length; j++) {
      featureColumn[j] = requireColumn(table, features.get(j).column(), file);
    }
    int labelColumn = requireColumn(table, label.column(), file);

    List<RawRow> kept = new ArrayList<>();
    for (RawRow row : table.rows()) {
      if (!row.hasMissing()) {
        kept.add(row);
      }
    }
    int[] labels = new int[kept.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = label.label(kept.get(i).value(labelColumn));
    }
    boolean[] train = split.assign(kept, labels);

    List<double[]> trainX = new ArrayList<>();
    List<double[]> testX = new ArrayList<>();
    int[] trainY = new int[kept.size()];
    int[] testY = new int[kept.size()];
    for (int i = 0; i < kept.size(); i++) {
      double[] x = new double[features.size()];
      for (int j = 0; j < x.length; j++) {
        x[j] = features.get(j).encode(kept.get(i).value(featureColumn[j]));
      }
      if (train[i]) {
        trainY[trainX.size()] = labels[i];
        trainX.add(x);
      } else {
        testY[testX.size()] = labels[i];
        testX.add(x);
      }
    }
    List<String> names = features.stream().map(FeatureSpec::toString).toList();
    return new EncodedRows(
        names,
        trainX.toArray(double[][]::new),
        Arrays.copyOf(trainY, trainX.size()),
        testX.toArray(double[][]::new),
        Arrays.copyOf(testY, testX.size()),
        table.rows().size() - kept.size());
  }

  private static int requireColumn(RawTable table, String column, String file)
      throws DataException {
    int index = table.columnIndex(column);
    if (index < 0) {
      throw new DataException(
          "column '"
              + column
              + "' is not mapped for "
              + file
              + " (mapped: "
              + String.join(", ", table.columns())
              + ")");
    }
    return index;
  }
}
