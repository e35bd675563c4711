package org.medfed.site.train;

import java.nio.file.Path;
import org.medfed.site.data.CsvConnector;
import org.medfed.site.data.DataException;
import org.medfed.site.data.SchemaMapping;
import org.medfed.site.prep.EncodedRows;
import org.medfed.site.prep.FlambyPreprocessing;
import org.medfed.site.prep.PreparedData;
import org.medfed.site.prep.TrainTestSplit;

/** The FLamby heart-disease sites, prepared as the tests need them. */
final class HeartData {
  static final Path DIR = Path.of(System.getProperty("medfed.repo.root"), "data", "heart-disease");

  private HeartData() {}

  static EncodedRows encoded(String site) throws DataException {
    return FlambyPreprocessing.encode(
        CsvConnector.read(
            DIR.resolve("processed." + site + ".data"),
            SchemaMapping.load(DIR.resolve("uci-mapping.yaml"))),
        FlambyPreprocessing.FLAMBY_FEATURES,
        FlambyPreprocessing.FLAMBY_LABEL,
        TrainTestSplit.fromFile(DIR.resolve("flamby_split_rs43.csv"), site));
  }

  static PreparedData prepared(String site) throws DataException {
    EncodedRows rows = encoded(site);
    return rows.standardize(org.medfed.site.prep.Standardization.fit(rows.trainX()));
  }
}
