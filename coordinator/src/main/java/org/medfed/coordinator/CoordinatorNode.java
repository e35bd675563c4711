package org.medfed.coordinator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import org.medfed.coordinator.enrolment.CertificateServices;
import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.coordinator.federation.CertificateLifecycle;
import org.medfed.coordinator.federation.FederationServer;
import org.medfed.coordinator.federation.TlsMaterial;
import org.medfed.coordinator.round.RoundEngine;
import org.medfed.coordinator.store.StudyStore;
import org.medfed.coordinator.study.StudyConfig;
import org.medfed.coordinator.study.StudyConfigException;
import org.medfed.coordinator.study.StudyConfigLoader;
import org.medfed.crypto.sign.Signatures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running coordinator: the study's round engine on its own thread, behind the mutual-TLS gRPC
 * endpoint. Everything is checked before the endpoint opens, so a bad study file or certificate
 * stops start-up before any site is contacted.
 */
public final class CoordinatorNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CoordinatorNode.class);

  private final RoundEngine engine;
  private final ExchangeLog exchangeLog;
  private final FederationServer server;
  private final Thread studyThread;

  private CoordinatorNode(
      RoundEngine engine, ExchangeLog exchangeLog, FederationServer server, Thread studyThread) {
    this.engine = engine;
    this.exchangeLog = exchangeLog;
    this.server = server;
    this.studyThread = studyThread;
  }

  public static CoordinatorNode start(CoordinatorSettings settings)
      throws ConfigurationException, IOException {
    StudyConfig study;
    try {
      study = StudyConfigLoader.load(settings.studyFile());
    } catch (StudyConfigException e) {
      throw new ConfigurationException(e.getMessage());
    }
    TlsMaterial tls =
        TlsMaterial.load(settings.certificate(), settings.privateKey(), settings.caCertificate());
    StudyStore store = new StudyStore(settings.dataDir().resolve(study.id()));
    ExchangeLog exchangeLog;
    try {
      exchangeLog =
          ExchangeLog.openForCoordinator(
              settings.dataDir().resolve("exchange-log"),
              Clock.systemUTC(),
              Signatures.signer(tls.privateKey()),
              tls.certificate(),
              tls.name() + "/exchange-log");
    } catch (IOException | InvalidKeyException e) {
      throw new ConfigurationException("cannot open the exchange log: " + e.getMessage());
    }
    CertificateLifecycle certificates =
        CertificateServices.start(settings.certificates(), tls, exchangeLog, study.sites());
    RoundEngine engine;
    try {
      engine =
          new RoundEngine(
              study,
              digestOf(settings),
              study.strategy().strategy(),
              store,
              exchangeLog,
              settings.enrolmentWindow(),
              tls.ca(),
              Clock.systemUTC());
    } catch (IllegalStateException | UncheckedIOException e) {
      throw new ConfigurationException(e.getMessage());
    }
    FederationServer server =
        FederationServer.start(
            new InetSocketAddress(settings.grpcHost(), settings.grpcPort()),
            tls,
            engine,
            exchangeLog,
            settings.maxChunkElements(),
            certificates);
    Thread studyThread =
        Thread.ofPlatform()
            .name("study-" + study.id())
            .start(
                () -> {
                  try {
                    engine.run();
                  } catch (InterruptedException e) {
                    log.atInfo().setMessage("study loop stopped").log();
                  } catch (RuntimeException e) {
                    log.atError().setMessage("study loop crashed").setCause(e).log();
                  }
                });
    log.atInfo()
        .setMessage("coordinator listening")
        .addKeyValue("study", study.id())
        .addKeyValue("grpcPort", server.port())
        .log();
    return new CoordinatorNode(engine, exchangeLog, server, studyThread);
  }

  public RoundEngine engine() {
    return engine;
  }

  public ExchangeLog exchangeLog() {
    return exchangeLog;
  }

  public int grpcPort() {
    return server.port();
  }

  @Override
  public void close() throws InterruptedException {
    studyThread.interrupt();
    studyThread.join(5_000);
    server.close();
    try {
      // Cover everything logged since the last round (e.g. the "study ended" deliveries).
      exchangeLog.signTreeHead();
      exchangeLog.close();
    } catch (IOException e) {
      log.atWarn().setMessage("closing the exchange log failed").setCause(e).log();
    }
  }

  private static String digestOf(CoordinatorSettings settings) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(Files.readAllBytes(settings.studyFile())));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }
}
