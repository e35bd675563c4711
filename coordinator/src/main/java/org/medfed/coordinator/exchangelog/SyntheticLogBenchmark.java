package org.medfed.coordinator.exchangelog;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.sign.MessageStatement;
import org.medfed.crypto.sign.Signatures;
import org.medfed.proto.v1.CoordinatorDecision;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.RoundClosed;
import org.medfed.proto.v1.RoundOpened;
import org.medfed.proto.v1.SiteCertified;
import org.medfed.proto.v1.StudyClosed;
import org.medfed.proto.v1.StudyOpened;

/**
 * Writes a protocol-consistent exchange log of about {@code entries} entries through the real
 * {@link ExchangeLog} (100 sites with their certificates logged, rounds of one update each signed
 * by its site as real sites sign: a medfed-message-v2 statement naming the site's previous logged
 * one, a signed tree head per round), so the auditor can be timed on a large log: {@code
 * deploy/local/benchmark-audit.sh}. Not a test.
 *
 * <p>Arguments: {@code DIR [ENTRIES]}; writes DIR/exchange-log and DIR/ca.crt.pem.
 */
public final class SyntheticLogBenchmark {
  private static final int SITES = 100;

  private SyntheticLogBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createDirectories(Path.of(args[0]));
    long target = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
    CertificateAuthority ca = CertificateAuthority.create("benchmark", Duration.ofDays(2));
    Files.writeString(dir.resolve("ca.crt.pem"), ca.certificatePem());
    IssuedCredential coordinator =
        ca.issueCoordinator("coordinator", List.of("localhost"), List.of(), Duration.ofDays(1));
    List<String> sites = new ArrayList<>();
    Map<String, IssuedCredential> credentials = new HashMap<>();
    for (int i = 0; i < SITES; i++) {
      String site = String.format("site-%03d", i);
      sites.add(site);
      credentials.put(site, ca.issueSite(site, Duration.ofDays(1)));
    }
    // Each site's chain head: the link of its last statement the log holds, as a site keeps it.
    Map<String, byte[]> chainHeads = new ConcurrentHashMap<>();
    for (String site : sites) {
      chainHeads.put(site, MessageStatement.noPrevious());
    }
    SecureRandom random = new SecureRandom();
    long start = System.nanoTime();
    ExecutorService appenders = Executors.newFixedThreadPool(64);
    try (ExchangeLog log =
        ExchangeLog.openForCoordinator(
            dir.resolve("exchange-log"),
            Clock.systemUTC(),
            Signatures.signer(coordinator.privateKey()),
            coordinator.certificate(),
            "coordinator/exchange-log")) {
      String study = "benchmark";
      for (String site : sites) {
        log.recordDecision(
            "",
            0,
            CoordinatorDecision.newBuilder()
                .setSiteCertified(
                    SiteCertified.newBuilder()
                        .setSite(site)
                        .setCertificate(
                            ByteString.copyFrom(credentials.get(site).certificate().getEncoded())))
                .build());
      }
      log.recordDecision(
          study,
          0,
          CoordinatorDecision.newBuilder()
              .setStudyOpened(
                  StudyOpened.newBuilder()
                      .setStudyConfigSha256(ByteString.copyFrom(bytes(random)))
                      .addAllInvitedSites(sites))
              .build());
      byte[] model = bytes(random);
      int round = 0;
      while (log.size() + SITES + 3 < target) {
        round++;
        int r = round;
        log.recordDecision(
            study,
            r,
            CoordinatorDecision.newBuilder()
                .setRoundOpened(
                    RoundOpened.newBuilder()
                        .setBaseModelVersion(r - 1)
                        .setBaseModelSha256(ByteString.copyFrom(model))
                        .addAllParticipants(sites)
                        .setDeadlineUnixMillis(System.currentTimeMillis() + 30_000))
                .build());
        List<Future<Long>> updates = new ArrayList<>();
        for (String site : sites) {
          updates.add(
              appenders.submit(
                  () -> {
                    byte[] sha = bytes(random);
                    byte[] previous = chainHeads.get(site);
                    byte[] statement = MessageStatement.of("PushUpdate", sha, previous);
                    byte[] signature =
                        Signatures.signer(credentials.get(site).privateKey()).sign(statement);
                    long index =
                        log.recordMessage(
                            study,
                            r,
                            ExchangedMessage.newBuilder()
                                .setRpc("PushUpdate")
                                .setSender(site)
                                .setReceiver("coordinator")
                                .setPayloadSha256(ByteString.copyFrom(sha))
                                .setPayloadSize(56)
                                .setOutcome("accepted")
                                .setSenderSignature(ByteString.copyFrom(signature))
                                .setPreviousStatementSha256(ByteString.copyFrom(previous))
                                .build());
                    // Logged (on disk): the site's next message names this one.
                    chainHeads.put(site, MessageStatement.link(statement));
                    return index;
                  }));
        }
        for (Future<Long> update : updates) {
          update.get();
        }
        model = bytes(random);
        log.recordDecision(
            study,
            r,
            CoordinatorDecision.newBuilder()
                .setRoundClosed(
                    RoundClosed.newBuilder()
                        .setStatus("completed")
                        .addAllAggregatedSites(sites)
                        .setNewModelVersion(r)
                        .setNewModelSha256(ByteString.copyFrom(model)))
                .build());
        log.signTreeHead();
      }
      log.recordDecision(
          study,
          round,
          CoordinatorDecision.newBuilder()
              .setStudyClosed(StudyClosed.newBuilder().setStatus("completed"))
              .build());
      log.signTreeHead();
      System.out.printf(
          "wrote %d entries in %d rounds with %d signed tree heads in %.1f s%n",
          log.size(), round, round + 1, (System.nanoTime() - start) / 1e9);
    } finally {
      appenders.shutdownNow();
    }
  }

  private static byte[] bytes(SecureRandom random) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return bytes;
  }
}
