package org.medfed.coordinator;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.site.config.TlsFiles;
import org.medfed.site.data.CsvConnector;
import org.medfed.site.data.RawTable;
import org.medfed.site.data.SchemaMapping;
import org.medfed.site.federation.EgressLedger;
import org.medfed.site.federation.MessageChain;
import org.medfed.site.federation.SiteChannels;
import org.medfed.site.federation.SiteCredentials;
import org.medfed.site.federation.SiteNode;
import org.medfed.site.policy.LocalPolicy;
import org.medfed.site.prep.TrainTestSplit;
import org.medfed.site.privacy.PrivacyGuard;
import org.medfed.site.receipts.ReceiptBook;
import org.medfed.site.secagg.SecureAggregationSetup;

/**
 * A consortium for integration tests: a fresh CA, the coordinator's certificate, and site kits
 * issued on demand, all in a temporary folder. Sites read the real UCI files and FLamby split.
 */
final class TestNetwork {
  static final Map<String, String> SITE_FILES =
      Map.of(
          "cleveland", "cleveland",
          "hungary", "hungarian",
          "switzerland", "switzerland",
          "long-beach", "va");
  static final List<String> SITES = List.of("cleveland", "hungary", "switzerland", "long-beach");

  final Path dir;
  final CertificateAuthority ca;
  private final Path data =
      Path.of(System.getProperty("medfed.repo.root"), "data", "heart-disease");

  TestNetwork(Path dir) throws IOException {
    this.dir = dir;
    this.ca = CertificateAuthority.create("test", Duration.ofDays(1));
    Files.writeString(dir.resolve("ca.crt.pem"), ca.certificatePem());
    IssuedCredential coordinator =
        ca.issueCoordinator(
            "coordinator", List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1));
    Files.writeString(dir.resolve("coordinator.crt.pem"), coordinator.certificatePem());
    Files.writeString(dir.resolve("coordinator.key.pem"), coordinator.privateKeyPem());
  }

  Path study(int rounds, int minSites, String deadline, String onFailure) throws IOException {
    Path file = dir.resolve("study-" + rounds + "-" + minSites + "-" + onFailure + ".yaml");
    Files.writeString(
        file,
        """
        id: heart-disease
        title: integration test
        model:
          type: logistic-regression
          features: [age, sex, trestbps, chol, fbs, thalach, exang, oldpeak, cp=2, cp=3, cp=4, restecg=1, restecg=2]
          label: {column: num, positive-above: 0}
        rounds: %d
        seed: 42
        local-training: {steps: 100, batch-size: 4, learning-rate: 0.01, optimizer: sgd}
        strategy: {name: fedadam, server-learning-rate: 0.01, beta1: 0.9, beta2: 0.999, tau: 1.0e-8, proximal-mu: 0}
        sites: [cleveland, hungary, switzerland, long-beach]
        min-sites: %d
        round-deadline: %s
        on-round-failure: %s
        """
            .formatted(rounds, minSites, deadline, onFailure));
    return file;
  }

  /** A study as {@link #study} with extra top-level YAML, e.g. a privacy section. */
  Path study(int rounds, int minSites, String deadline, String onFailure, String extra)
      throws IOException {
    Path file = study(rounds, minSites, deadline, onFailure);
    Files.writeString(file, Files.readString(file) + extra + "\n");
    return file;
  }

  CoordinatorNode coordinator(Path studyFile, int port) throws Exception {
    return CoordinatorNode.start(
        new CoordinatorSettings(
            studyFile,
            dir.resolve("coordinator-data"),
            dir.resolve("coordinator.crt.pem"),
            dir.resolve("coordinator.key.pem"),
            dir.resolve("ca.crt.pem"),
            "127.0.0.1",
            port,
            Duration.ofSeconds(30),
            4));
  }

  /** Issues a kit for the site from the given CA and returns its TLS files. */
  TlsFiles kit(String site, CertificateAuthority issuer) throws IOException {
    Path kit = Files.createDirectories(dir.resolve("kits").resolve(site + "-" + issuer.hashCode()));
    IssuedCredential credential = issuer.issueSite(site, Duration.ofDays(1));
    Files.writeString(kit.resolve("site.crt.pem"), credential.certificatePem());
    Files.writeString(kit.resolve("site.key.pem"), credential.privateKeyPem());
    Files.writeString(kit.resolve("ca.crt.pem"), ca.certificatePem());
    return new TlsFiles(
        kit.resolve("site.crt.pem"), kit.resolve("site.key.pem"), kit.resolve("ca.crt.pem"));
  }

  ManagedChannel channel(String site, int port) throws Exception {
    return SiteChannels.open("localhost:" + port, kit(site, ca), MessageChain.in(stateDir(site)));
  }

  static final LocalPolicy ALLOW_HEART_COLUMNS =
      new LocalPolicy(
          Set.of("logistic-regression"),
          Set.of(
              "age",
              "sex",
              "cp",
              "trestbps",
              "chol",
              "fbs",
              "restecg",
              "thalach",
              "exang",
              "oldpeak",
              "num"));

  /** Starts a real site node for the site, on its own thread, until the study ends. */
  RunningSite site(String site, int port) throws Exception {
    return site(site, port, ALLOW_HEART_COLUMNS);
  }

  RunningSite site(String site, int port, LocalPolicy policy) throws Exception {
    return site(site, port, policy, PrivacyGuard.uncapped());
  }

  /** The site's state folder (egress ledger, privacy ledger). */
  Path stateDir(String site) {
    return dir.resolve("site-state").resolve(site);
  }

  RunningSite site(String site, int port, LocalPolicy policy, PrivacyGuard privacy)
      throws Exception {
    RawTable records =
        CsvConnector.read(
            data.resolve("processed." + SITE_FILES.get(site) + ".data"),
            SchemaMapping.load(data.resolve("uci-mapping.yaml")));
    TrainTestSplit split =
        TrainTestSplit.fromFile(data.resolve("flamby_split_rs43.csv"), SITE_FILES.get(site));
    SiteCredentials credentials = SiteCredentials.load(kit(site, ca));
    ManagedChannel channel =
        SiteChannels.open("localhost:" + port, credentials, MessageChain.in(stateDir(site)));
    EgressLedger ledger = new EgressLedger(stateDir(site));
    SiteNode node =
        new SiteNode(
            records,
            split,
            policy,
            privacy,
            new ReceiptBook(stateDir(site), ca.certificate()),
            new SecureAggregationSetup(credentials::current, ca.certificate()),
            channel,
            ledger,
            () -> {});
    CompletableFuture<SiteNode.Outcome> outcome = new CompletableFuture<>();
    Thread thread =
        Thread.ofPlatform()
            .name("site-" + site)
            .start(
                () -> {
                  try {
                    outcome.complete(node.run(true));
                  } catch (Throwable t) {
                    outcome.completeExceptionally(t);
                  } finally {
                    ledger.close();
                  }
                });
    return new RunningSite(node, thread, channel, outcome, ledger);
  }

  record RunningSite(
      SiteNode node,
      Thread thread,
      ManagedChannel channel,
      CompletableFuture<SiteNode.Outcome> outcome,
      EgressLedger ledger)
      implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      node.stop();
      thread.interrupt();
      thread.join(5_000);
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
