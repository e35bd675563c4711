package org.medfed.site.prep;

import java.util.List;

/**
 * A site's standardised train and test sets, ready for training.
 *
 * @param featureNames the feature names, e.g. {@code age} or {@code cp=2}
 * @param trainX standardised training features
 * @param trainY training labels, 0 or 1
 * @param testX test features, standardised with the same statistics as the training features
 * @param testY test labels
 * @param standardization the statistics that were applied
 */
public record PreparedData(
    List<String> featureNames,
    double[][] trainX,
    int[] trainY,
    double[][] testX,
    int[] testY,
    Standardization standardization) {

  public PreparedData {
    featureNames = List.copyOf(featureNames);
    Matrices.checkShape(trainX, trainY, featureNames.size(), "trainX");
    Matrices.checkShape(testX, testY, featureNames.size(), "testX");
    if (standardization.dimension() != featureNames.size()) {
      throw new IllegalArgumentException(
          "standardization has "
              + standardization.dimension()
              + " features, expected "
              + featureNames.size());
    }
    trainX = Matrices.copy(trainX);
    trainY = trainY.clone();
    testX = Matrices.copy(testX);
    testY = testY.clone();
  }

  @Override
  public double[][] trainX() {
    return Matrices.copy(trainX);
  }

  @Override
  public int[] trainY() {
    return trainY.clone();
  }

  @Override
  public double[][] testX() {
    return Matrices.copy(testX);
  }

  @Override
  public int[] testY() {
    return testY.clone();
  }

  public int trainRecords() {
    return trainY.length;
  }

  public int testRecords() {
    return testY.length;
  }

  @Override
  public String toString() {
    return "PreparedData[features="
        + featureNames
        + ", train="
        + trainY.length
        + ", test="
        + testY.length
        + "]";
  }
}
