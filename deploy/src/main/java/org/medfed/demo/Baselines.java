package org.medfed.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medfed.site.data.CsvConnector;
import org.medfed.site.data.DataException;
import org.medfed.site.data.SchemaMapping;
import org.medfed.site.prep.EncodedRows;
import org.medfed.site.prep.FlambyPreprocessing;
import org.medfed.site.prep.PreparedData;
import org.medfed.site.prep.Standardization;
import org.medfed.site.prep.TrainTestSplit;
import org.medfed.site.train.Evaluation;
import org.medfed.site.train.Metrics;
import org.medfed.site.train.ReferenceModels;

/**
 * The demo harness's own reference models, trained with smile's L2 logistic regression (λ = 1, i.e.
 * scikit-learn's C = 1) on the same FLamby preprocessing and split as the sites use.
 *
 * <p>The pooled reference reads all four hospitals' files together. That is exactly what a
 * federation exists to avoid: it is impossible in production and is shown only as an upper
 * reference. Evaluation follows FLamby: each site's test rows are standardised with that site's own
 * training statistics, for every model.
 */
final class Baselines {
  private static final double LAMBDA = 1.0;

  /**
   * @param trainRecords the site's training split, as the site itself counts it (under secure
   *     aggregation the coordinator never learns one site's count)
   */
  record SiteBaseline(Metrics localOnly, Metrics pooledReference, int trainRecords) {}

  static Map<String, SiteBaseline> compute(Path dataDir) throws DataException {
    SchemaMapping mapping = SchemaMapping.load(dataDir.resolve("uci-mapping.yaml"));
    Map<String, EncodedRows> encoded = new LinkedHashMap<>();
    for (DemoSite site : DemoSite.ALL) {
      encoded.put(
          site.id(),
          FlambyPreprocessing.encode(
              CsvConnector.read(dataDir.resolve(site.dataFile()), mapping),
              FlambyPreprocessing.FLAMBY_FEATURES,
              FlambyPreprocessing.FLAMBY_LABEL,
              TrainTestSplit.fromFile(
                  dataDir.resolve("flamby_split_rs43.csv"), site.splitCenter())));
    }

    List<double[]> pooledRows = new ArrayList<>();
    List<Integer> pooledLabels = new ArrayList<>();
    for (EncodedRows rows : encoded.values()) {
      pooledRows.addAll(List.of(rows.trainX()));
      for (int label : rows.trainY()) {
        pooledLabels.add(label);
      }
    }
    double[][] pooledX = pooledRows.toArray(double[][]::new);
    double[] pooledModel =
        ReferenceModels.fitL2LogisticRegression(
            Standardization.fit(pooledX).apply(pooledX),
            pooledLabels.stream().mapToInt(Integer::intValue).toArray(),
            LAMBDA);

    Map<String, SiteBaseline> result = new LinkedHashMap<>();
    for (Map.Entry<String, EncodedRows> entry : encoded.entrySet()) {
      EncodedRows rows = entry.getValue();
      PreparedData own = rows.standardize(Standardization.fit(rows.trainX()));
      double[] localModel = fitOrConstant(own.trainX(), own.trainY());
      result.put(
          entry.getKey(),
          new SiteBaseline(
              Evaluation.evaluate(localModel, own.testX(), own.testY()),
              Evaluation.evaluate(pooledModel, own.testX(), own.testY()),
              own.trainRecords()));
    }
    return result;
  }

  /**
   * A site whose training rows hold one class only (Zurich/Basel: every training patient is
   * positive) cannot fit a logistic regression; the best any model trained there can do is predict
   * that class for everyone, which is what this returns (weights 0, a saturated bias).
   */
  private static double[] fitOrConstant(double[][] x, int[] y) {
    boolean hasPositive = false;
    boolean hasNegative = false;
    for (int label : y) {
      hasPositive |= label == 1;
      hasNegative |= label == 0;
    }
    if (hasPositive && hasNegative) {
      return ReferenceModels.fitL2LogisticRegression(x, y, LAMBDA);
    }
    double[] constant = new double[x[0].length + 1];
    constant[constant.length - 1] = hasPositive ? 20 : -20;
    return constant;
  }

  private Baselines() {}
}
