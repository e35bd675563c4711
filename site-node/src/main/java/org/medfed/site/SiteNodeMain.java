package org.medfed.site;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.medfed.site.config.ConfigException;
import org.medfed.site.config.SiteConfig;
import org.medfed.site.data.CsvConnector;
import org.medfed.site.data.DataException;
import org.medfed.site.data.RawTable;
import org.medfed.site.data.SchemaMapping;
import org.medfed.site.enrolment.CertificateRenewal;
import org.medfed.site.enrolment.EnrolCommand;
import org.medfed.site.federation.EgressLedger;
import org.medfed.site.federation.Heartbeat;
import org.medfed.site.federation.MessageChain;
import org.medfed.site.federation.SiteChannels;
import org.medfed.site.federation.SiteCredentials;
import org.medfed.site.federation.SiteNode;
import org.medfed.site.prep.TrainTestSplit;
import org.medfed.site.privacy.PrivacyGuard;
import org.medfed.site.receipts.ReceiptBook;
import org.medfed.site.receipts.ReceiptException;
import org.medfed.site.secagg.SecureAggregationSetup;

/**
 * {@code medfed-site --config site.yaml [--exit-when-study-ends]}, or {@code medfed-site enrol
 * --config site.yaml --token TOKEN} for a site's first certificate. Reads and checks the
 * configuration, certificates and every record before contacting the coordinator, so a bad file
 * stops the site with one sentence and nothing is sent.
 */
public final class SiteNodeMain {
  private static final long SPLIT_SEED = 43;

  /** A poll returns within about 20 s even when idle, so 90 s without one means trouble. */
  private static final Duration HEALTHY_WITHIN = Duration.ofSeconds(90);

  private SiteNodeMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && args[0].equals("enrol")) {
      System.exit(
          EnrolCommand.run(Arrays.asList(args).subList(1, args.length), System.out, System.err));
    }
    Path configFile = null;
    boolean untilStudyEnds = false;
    boolean health = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> configFile = i + 1 < args.length ? Path.of(args[++i]) : null;
        case "--exit-when-study-ends" -> untilStudyEnds = true;
        case "--health" -> health = true;
        default -> usage("unknown argument " + args[i]);
      }
    }
    if (configFile == null) {
      usage("--config FILE is required");
    }
    System.exit(health ? health(configFile) : run(configFile, untilStudyEnds));
  }

  /** The container health check: 0 when the node polled the coordinator recently. */
  static int health(Path configFile) {
    try {
      SiteConfig config = SiteConfig.load(configFile);
      Optional<String> problem =
          new Heartbeat(config.stateDir(), Clock.systemUTC()).problem(HEALTHY_WITHIN);
      problem.ifPresent(p -> System.err.println("medfed-site: unhealthy: " + p));
      return problem.isPresent() ? 1 : 0;
    } catch (ConfigException e) {
      System.err.println("medfed-site: " + e.getMessage());
      return 1;
    }
  }

  @SuppressWarnings("try") // the renewal runs beside the node for as long as the try block
  static int run(Path configFile, boolean untilStudyEnds) throws InterruptedException {
    SiteConfig config;
    RawTable records;
    TrainTestSplit split;
    ManagedChannel channel;
    SiteCredentials credentials;
    X509Certificate ca;
    try {
      config = SiteConfig.load(configFile);
      records =
          CsvConnector.read(config.data().path(), SchemaMapping.load(config.data().mapping()));
      split =
          config.data().splitFile() == null
              ? TrainTestSplit.seeded(0.66, SPLIT_SEED)
              : TrainTestSplit.fromFile(config.data().splitFile(), config.data().splitCenter());
      credentials = SiteCredentials.load(config.tls());
      channel =
          SiteChannels.open(
              config.coordinatorAddress(), credentials, MessageChain.in(config.stateDir()));
      ca = SiteChannels.certificate(config.tls().caCertificate(), "tls.ca-certificate");
    } catch (ConfigException | DataException e) {
      System.err.println("medfed-site: " + e.getMessage());
      return 1;
    }
    try (EgressLedger ledger = new EgressLedger(config.stateDir());
        CertificateRenewal renewal =
            CertificateRenewal.start(credentials, channel, ledger, Clock.systemUTC())) {
      SiteNode node =
          new SiteNode(
              records,
              split,
              config.policy(),
              new PrivacyGuard(config.stateDir(), config.privacyCap()),
              new ReceiptBook(config.stateDir(), ca),
              new SecureAggregationSetup(credentials::current, ca),
              channel,
              ledger,
              new Heartbeat(config.stateDir(), Clock.systemUTC()));
      Thread main = Thread.currentThread();
      Thread hook =
          new Thread(
              () -> {
                node.stop();
                main.interrupt();
              },
              "site-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        SiteNode.Outcome outcome = node.run(untilStudyEnds);
        return outcome instanceof SiteNode.Outcome.StudyEnded ended
                && ended.outcome().startsWith("failed")
            ? 3
            : 0;
      } catch (StatusRuntimeException e) {
        System.err.println(
            "medfed-site: the coordinator refused this site: "
                + e.getStatus().getCode()
                + " "
                + e.getStatus().getDescription());
        return 1;
      } catch (ReceiptException e) {
        System.err.println(
            "medfed-site: stopped: the coordinator's exchange log does not prove itself: "
                + e.getMessage());
        return 4;
      } catch (InterruptedException e) {
        return 0;
      } finally {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static void usage(String problem) {
    System.err.println("medfed-site: " + problem);
    System.err.println("usage: medfed-site --config site.yaml [--exit-when-study-ends | --health]");
    System.err.println("       " + EnrolCommand.USAGE.substring("usage: ".length()));
    System.exit(2);
  }
}
