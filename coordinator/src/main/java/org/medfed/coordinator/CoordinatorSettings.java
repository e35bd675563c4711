package org.medfed.coordinator;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How one coordinator process is set up: the study it runs, where it keeps checkpoints, its TLS
 * identity and its gRPC endpoint.
 *
 * @param enrolmentWindow how long the study waits for invited sites to join or decline
 */
public record CoordinatorSettings(
    Path studyFile,
    Path dataDir,
    Path certificate,
    Path privateKey,
    Path caCertificate,
    String grpcHost,
    int grpcPort,
    Duration enrolmentWindow,
    int maxChunkElements) {}
