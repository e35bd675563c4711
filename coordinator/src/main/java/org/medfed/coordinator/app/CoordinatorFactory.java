package org.medfed.coordinator.app;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.medfed.coordinator.CertificateSettings;
import org.medfed.coordinator.ConfigurationException;
import org.medfed.coordinator.CoordinatorNode;
import org.medfed.coordinator.CoordinatorSettings;

/** Starts the coordinator node with the application context, and stops it with it. */
@Factory
final class CoordinatorFactory {

  @Context
  @Bean(preDestroy = "close")
  CoordinatorNode coordinatorNode(
      @Value("${medfed.study-file:}") String studyFile,
      @Value("${medfed.data-dir:coordinator-data}") String dataDir,
      @Value("${medfed.tls.certificate:}") String certificate,
      @Value("${medfed.tls.private-key:}") String privateKey,
      @Value("${medfed.tls.ca-certificate:}") String caCertificate,
      @Value("${medfed.grpc.host:0.0.0.0}") String grpcHost,
      @Value("${medfed.grpc.port:7443}") int grpcPort,
      @Value("${medfed.enrolment-window:10m}") Duration enrolmentWindow,
      @Value("${medfed.max-chunk-elements:65536}") int maxChunkElements,
      @Value("${medfed.enrolment.pki-dir:}") String enrolmentPkiDir,
      @Value("${medfed.enrolment.certificate-validity:30d}") Duration certificateValidity,
      @Value("${medfed.tls.crl:}") String revocationList,
      @Value("${medfed.tls.crl-check-interval:5s}") Duration revocationCheckInterval)
      throws ConfigurationException, IOException {
    return CoordinatorNode.start(
        new CoordinatorSettings(
            required("medfed.study-file", studyFile),
            Path.of(dataDir),
            required("medfed.tls.certificate", certificate),
            required("medfed.tls.private-key", privateKey),
            required("medfed.tls.ca-certificate", caCertificate),
            grpcHost,
            grpcPort,
            enrolmentWindow,
            maxChunkElements,
            new CertificateSettings(
                enrolmentPkiDir.isBlank() ? null : Path.of(enrolmentPkiDir),
                revocationList.isBlank() ? null : Path.of(revocationList),
                certificateValidity,
                revocationCheckInterval)));
  }

  private static Path required(String property, String value) throws ConfigurationException {
    if (value.isBlank()) {
      throw new ConfigurationException(
          "the setting " + property + " is missing: pass --" + property + "=FILE");
    }
    return Path.of(value);
  }
}
