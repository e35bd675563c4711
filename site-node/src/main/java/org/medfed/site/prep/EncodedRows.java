package org.medfed.site.prep;

import java.util.List;

/**
 * A site's rows after cleaning, labelling, encoding and splitting, but before standardisation.
 *
 * <p>This is the building block for pooled baselines: pool the train rows of several sites and fit
 * one {@link Standardization} on them.
 *
 * @param featureNames the feature names, e.g. {@code age} or {@code cp=2}
 * @param trainX unstandardised training features, one row per record
 * @param trainY training labels, 0 or 1
 * @param testX unstandardised test features
 * @param testY test labels
 * @param droppedRows how many rows were dropped for missing values
 */
public record EncodedRows(
    List<String> featureNames,
    double[][] trainX,
    int[] trainY,
    double[][] testX,
    int[] testY,
    int droppedRows) {

  public EncodedRows {
    featureNames = List.copyOf(featureNames);
    Matrices.checkShape(trainX, trainY, featureNames.size(), "trainX");
    Matrices.checkShape(testX, testY, featureNames.size(), "testX");
    if (droppedRows < 0) {
      throw new IllegalArgumentException("droppedRows must be >= 0");
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

  /** Standardises both parts with the given statistics. */
  public PreparedData standardize(Standardization standardization) {
    return new PreparedData(
        featureNames,
        standardization.apply(trainX),
        trainY,
        standardization.apply(testX),
        testY,
        standardization);
  }

  @Override
  public String toString() {
    return "EncodedRows[features="
        + featureNames
        + ", train="
        + trainY.length
        + ", test="
        + testY.length
        + ", dropped="
        + droppedRows
        + "]";
  }
}
