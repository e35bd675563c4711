package org.medfed.coordinator.round;

/** A site's complete, digest-checked model update for one round. */
public record UpdateSubmission(
    String studyId,
    int round,
    long baseModelVersion,
    long numExamples,
    double trainLoss,
    double[] delta) {}
