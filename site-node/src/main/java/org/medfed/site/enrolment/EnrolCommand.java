package org.medfed.site.enrolment;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.medfed.crypto.pki.CertificateRequest;
import org.medfed.crypto.pki.EnrolmentToken;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.pki.PkiException;
import org.medfed.proto.v1.EnrolRequest;
import org.medfed.proto.v1.EnrolResponse;
import org.medfed.proto.v1.EnrolmentGrpc;
import org.medfed.site.config.ConfigException;
import org.medfed.site.config.SiteConfig;
import org.medfed.site.federation.EgressLedger;
import org.medfed.site.federation.SiteChannels;
import org.medfed.site.federation.SiteCredentials;

/**
 * {@code medfed-site enrol --config site.yaml (--token TOKEN | --token-file FILE)}: generates the
 * site's key pair here, sends a certificate request with the one-time token over TLS that
 * authenticates the coordinator (the site has no certificate yet), checks the certificate it gets
 * back and writes key and certificate to the paths of {@code tls.private-key} and {@code
 * tls.certificate} (the key readable by its owner only). The private key never leaves the site.
 *
 * <p>Exit codes: 0 enrolled, 1 refused or failed (one sentence on {@code err}), 2 usage error.
 */
public final class EnrolCommand {
  public static final String USAGE =
      "usage: medfed-site enrol --config site.yaml (--token TOKEN | --token-file FILE)";
  private static final long DEADLINE_SECONDS = 30;

  private EnrolCommand() {}

  /** Runs with the arguments after the word "enrol"; returns the exit code. */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    Path config = null;
    String token = null;
    Path tokenFile = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String value = i + 1 < args.size() ? args.get(i + 1) : null;
      switch (arg) {
        case "--config" -> config = value == null ? null : Path.of(value);
        case "--token" -> token = value;
        case "--token-file" -> tokenFile = value == null ? null : Path.of(value);
        default -> {
          err.println("medfed-site: unknown argument " + arg);
          err.println(USAGE);
          return 2;
        }
      }
      i++;
    }
    if (config == null || (token == null) == (tokenFile == null)) {
      err.println("medfed-site: enrol needs --config and exactly one of --token and --token-file");
      err.println(USAGE);
      return 2;
    }
    try {
      if (tokenFile != null) {
        token = Files.readString(tokenFile, StandardCharsets.US_ASCII);
      }
      SiteConfig site = SiteConfig.loadForEnrolment(config);
      IssuedCredential credential = enrol(site, token);
      out.println(
          "Enrolled: certificate serial "
              + credential.certificate().getSerialNumber().toString(16)
              + " for \""
              + credential.certificate().getSubjectX500Principal().getName()
              + "\", valid until "
              + credential.certificate().getNotAfter().toInstant()
              + ", in "
              + site.tls().certificate()
              + " (key in "
              + site.tls().privateKey()
              + "). The node renews it by itself before it expires.");
      return 0;
    } catch (EnrolmentFailure | ConfigException e) {
      err.println("medfed-site: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("medfed-site: cannot read the token file " + tokenFile + ": " + e.getMessage());
      return 1;
    }
  }

  /** Enrols and writes the files; returns what was written. */
  static IssuedCredential enrol(SiteConfig config, String tokenText)
      throws EnrolmentFailure, ConfigException {
    for (Path existing : new Path[] {config.tls().privateKey(), config.tls().certificate()}) {
      if (Files.exists(existing)) {
        throw new EnrolmentFailure(
            existing
                + " already exists: enrolment makes a new key and certificate, so move the old"
                + " ones away first (a site that has a valid certificate renews it instead)");
      }
    }
    EnrolmentToken token;
    try {
      token = EnrolmentToken.parse(tokenText);
    } catch (PkiException e) {
      throw new EnrolmentFailure(e.getMessage());
    }
    var ca = SiteChannels.certificate(config.tls().caCertificate(), "tls.ca-certificate");
    KeyPair keys = CertificateRequest.generateKeyPair();
    CertificateRequest request = CertificateRequest.create(token.siteId(), keys);
    ManagedChannel channel = SiteChannels.openForEnrolment(config.coordinatorAddress(), ca);
    EnrolResponse response;
    try (EgressLedger ledger = new EgressLedger(config.stateDir())) {
      response =
          EnrolmentGrpc.newBlockingStub(SiteChannels.guarded(channel, ledger))
              .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
              .enrol(
                  EnrolRequest.newBuilder()
                      .setToken(token.reveal())
                      .setCertificateRequest(
                          com.google.protobuf.ByteString.copyFrom(request.encoded()))
                      .build());
    } catch (StatusRuntimeException e) {
      throw new EnrolmentFailure(
          "the coordinator refused the enrolment: "
              + e.getStatus().getCode()
              + " "
              + e.getStatus().getDescription());
    } finally {
      channel.shutdownNow();
    }
    IssuedCredential credential;
    try {
      credential =
          IssuedCertificates.accept(
              response.getCertificate(), ca, token.siteId(), keys, Instant.now());
    } catch (PkiException e) {
      throw new EnrolmentFailure("the enrolment answer is unusable: " + e.getMessage());
    }
    try {
      SiteCredentials.writeFirst(config.tls(), credential);
    } catch (FileAlreadyExistsException e) {
      throw new EnrolmentFailure(e.getFile() + " appeared while enrolling; nothing was written");
    } catch (IOException e) {
      throw new EnrolmentFailure("cannot write the new key and certificate: " + e.getMessage());
    }
    return credential;
  }

  /** Enrolment did not happen; the message says why in one sentence. */
  static final class EnrolmentFailure extends Exception {
    private static final long serialVersionUID = 1L;

    EnrolmentFailure(String message) {
      super(message);
    }
  }
}
