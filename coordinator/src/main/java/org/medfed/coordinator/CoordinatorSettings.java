package org.medfed.coordinator;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How one coordinator process is set up: the study it runs, where it keeps checkpoints, its TLS
 * identity and its gRPC endpoint.
 *
 * @param enrolmentWindow how long the study waits for invited sites to join or decline
 * @param certificates certificate enrolment, renewal and revocation
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
    int maxChunkElements,
    CertificateSettings certificates) {

  public CoordinatorSettings {
    if (certificates == null) {
      certificates = CertificateSettings.none();
    }
  }

  /** Settings without enrolment or a revocation list. */
  public CoordinatorSettings(
      Path studyFile,
      Path dataDir,
      Path certificate,
      Path privateKey,
      Path caCertificate,
      String grpcHost,
      int grpcPort,
      Duration enrolmentWindow,
      int maxChunkElements) {
    this(
        studyFile,
        dataDir,
        certificate,
        privateKey,
        caCertificate,
        grpcHost,
        grpcPort,
        enrolmentWindow,
        maxChunkElements,
        CertificateSettings.none());
  }
}
