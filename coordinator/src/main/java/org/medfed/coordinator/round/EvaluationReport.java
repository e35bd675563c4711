package org.medfed.coordinator.round;

/** Aggregate test metrics a site computed for one global model on its own test split. */
public record EvaluationReport(
    String studyId,
    int round,
    long modelVersion,
    long testRecords,
    double accuracy,
    double auc,
    double loss) {}
