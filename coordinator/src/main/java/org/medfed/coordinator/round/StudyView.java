package org.medfed.coordinator.round;

import java.time.Instant;
import org.medfed.coordinator.study.StudyConfig;

/** A consistent snapshot of a study for the REST API: its config, history and open phase. */
public record StudyView(
    StudyConfig study,
    StudyCheckpoint checkpoint,
    int openRound,
    String openPhase,
    Instant openPhaseDeadline) {}
