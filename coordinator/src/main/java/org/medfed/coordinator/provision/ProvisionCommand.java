package org.medfed.coordinator.provision;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.medfed.coordinator.enrolment.ConsortiumDirectory;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.pki.PkiException;

/**
 * The consortium's {@code provision} command: creates the consortium CA, the coordinator's TLS
 * credentials and one startup kit per site ({@code init}), issues kits for sites that join later
 * ({@code add-site}), and runs the certificate lifecycle: enrolment tokens ({@code enrol-token}),
 * revocation ({@code revoke}) and removal of a site ({@code remove-site}).
 *
 * <p>Exit codes: 0 success, 1 failure (one sentence on {@code err}), 2 usage error (the problem and
 * the usage text on {@code err}).
 */
public final class ProvisionCommand {
  static final String USAGE =
      """
      Usage:
        provision init --out DIR --consortium NAME --coordinator-address HOST:PORT
                       --sites ID[,ID...] [--coordinator-dns NAME[,NAME...]]
                       [--coordinator-ip IP[,IP...]] [--validity-days DAYS]
                       [--ca-validity-days DAYS]
        provision add-site --pki DIR --site ID --coordinator-address HOST:PORT
                           [--validity-days DAYS]
        provision enrol-token --pki DIR --site ID [--valid-for DURATION]
        provision revoke --pki DIR (--site ID | --serial HEX) --reason TEXT
        provision remove-site --pki DIR --site ID [--reason TEXT]

      init writes DIR/ca (keep it offline), DIR/coordinator, and a startup kit DIR/sites/<ID>
      per site; DIR must be empty or absent. add-site issues one more kit from DIR/ca and
      changes no other file.

      The coordinator certificate names the HOST of --coordinator-address plus any
      --coordinator-dns and --coordinator-ip entries. A site id is a lowercase letter or digit
      followed by up to 62 lowercase letters, digits or hyphens. Certificates are valid for
      --validity-days (default 365) but never beyond the CA (--ca-validity-days, default 3650).

      enrol-token lets site ID (new, or re-enrolling) get a certificate for a key it makes
      itself: it prints a one-time token, valid for --valid-for (default 24h; e.g. 30m, 24h,
      7d; at most 30d), and adds the site to DIR/sites.txt. DIR keeps only the token's
      SHA-256; a new token replaces the site's previous one. The site runs
        medfed-site enrol --config site.yaml --token TOKEN
      against a coordinator started with --medfed.enrolment.pki-dir=DIR.

      revoke adds the certificate with serial HEX, or every unexpired certificate of site ID,
      to the revocation list DIR/crl.pem, signed by DIR/ca. A coordinator enforcing it refuses
      the certificate at its next handshake and call, and records the revocation in its
      exchange log. remove-site revokes every certificate of site ID, withdraws its enrolment
      token and removes it from DIR/sites.txt, so that no study can invite it any more.
      """;

  private static final String COORDINATOR_NAME = "coordinator";
  private static final int DEFAULT_VALIDITY_DAYS = 365;
  private static final int DEFAULT_CA_VALIDITY_DAYS = 3650;
  private static final int MAX_VALIDITY_DAYS = 3650;
  private static final int MAX_CA_VALIDITY_DAYS = 36500;
  private static final Set<String> INIT_OPTIONS =
      Set.of(
          "out",
          "consortium",
          "coordinator-address",
          "sites",
          "coordinator-dns",
          "coordinator-ip",
          "validity-days",
          "ca-validity-days");
  private static final Set<String> ADD_SITE_OPTIONS =
      Set.of("pki", "site", "coordinator-address", "validity-days");
  private static final Set<String> ENROL_TOKEN_OPTIONS = Set.of("pki", "site", "valid-for");
  private static final Set<String> REVOKE_OPTIONS = Set.of("pki", "site", "serial", "reason");
  private static final Set<String> REMOVE_SITE_OPTIONS = Set.of("pki", "site", "reason");

  private ProvisionCommand() {}

  /**
   * Runs {@code provision} with the arguments that follow the word "provision".
   *
   * @return the process exit code: 0, 1 or 2
   */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    try {
      if (args.isEmpty()) {
        throw new UsageException("missing subcommand");
      }
      List<String> rest = args.subList(1, args.size());
      switch (args.getFirst()) {
        case "init" -> init(Arguments.parse(rest, INIT_OPTIONS), out);
        case "add-site" -> addSite(Arguments.parse(rest, ADD_SITE_OPTIONS), out);
        case "enrol-token" -> Lifecycle.enrolToken(Arguments.parse(rest, ENROL_TOKEN_OPTIONS), out);
        case "revoke" -> Lifecycle.revoke(Arguments.parse(rest, REVOKE_OPTIONS), out);
        case "remove-site" -> Lifecycle.removeSite(Arguments.parse(rest, REMOVE_SITE_OPTIONS), out);
        case "help", "--help", "-h" -> out.print(USAGE);
        default -> throw new UsageException("unknown subcommand \"" + args.getFirst() + "\"");
      }
      return 0;
    } catch (UsageException e) {
      err.println("provision: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (ProvisionException e) {
      err.println("provision: " + e.getMessage());
      return 1;
    }
  }

  private static void init(Arguments arguments, PrintStream out)
      throws UsageException, ProvisionException {
    Path outDir = path(arguments.required("out"));
    String consortium = arguments.required("consortium");
    String addressText = arguments.required("coordinator-address");
    arguments.required("sites");
    List<String> siteIds = arguments.list("sites");
    List<String> extraDns = arguments.list("coordinator-dns");
    List<String> extraIps = arguments.list("coordinator-ip");
    int validityDays =
        arguments.positiveInt("validity-days", DEFAULT_VALIDITY_DAYS, MAX_VALIDITY_DAYS);
    int caValidityDays =
        arguments.positiveInt("ca-validity-days", DEFAULT_CA_VALIDITY_DAYS, MAX_CA_VALIDITY_DAYS);
    CoordinatorAddress address = CoordinatorAddress.parse(addressText);

    requireEmptyOrAbsent(outDir);
    Set<String> seen = new LinkedHashSet<>();
    for (String siteId : siteIds) {
      if (!seen.add(siteId)) {
        throw new ProvisionException("site id \"" + siteId + "\" is listed more than once");
      }
    }

    // Everything is issued in memory first, so a bad name fails before any file is written.
    Duration validity = Duration.ofDays(validityDays);
    Set<String> dnsNames = new LinkedHashSet<>();
    Set<String> ipAddresses = new LinkedHashSet<>();
    (address.hostIsIpLiteral() ? ipAddresses : dnsNames).add(address.host());
    dnsNames.addAll(extraDns);
    ipAddresses.addAll(extraIps);
    CertificateAuthority ca;
    IssuedCredential coordinator;
    Map<String, IssuedCredential> sites = new LinkedHashMap<>();
    try {
      ca = CertificateAuthority.create(consortium, Duration.ofDays(caValidityDays));
      coordinator =
          ca.issueCoordinator(
              COORDINATOR_NAME, List.copyOf(dnsNames), List.copyOf(ipAddresses), validity);
      for (String siteId : siteIds) {
        sites.put(siteId, ca.issueSite(siteId, validity));
      }
    } catch (IllegalArgumentException e) {
      throw new ProvisionException(e.getMessage(), e);
    }

    PkiDirectory pki = new PkiDirectory(outDir);
    try {
      Files.createDirectories(outDir);
      pki.writeCa(ca);
      pki.writeCoordinator(ca, coordinator);
      for (Map.Entry<String, IssuedCredential> site : sites.entrySet()) {
        pki.writeSiteKit(ca, site.getKey(), site.getValue(), address);
      }
      new ConsortiumDirectory(outDir).addMembers(List.copyOf(sites.keySet()));
    } catch (IOException e) {
      throw new ProvisionException("cannot write to " + outDir + ": " + describe(e), e);
    }

    List<String> sans = new ArrayList<>(dnsNames);
    sans.addAll(ipAddresses);
    out.println("Consortium CA:  " + pki.caDirectory() + "  (keep this folder offline)");
    out.println(
        "Coordinator:    "
            + pki.coordinatorDirectory()
            + "  (names: "
            + String.join(", ", sans)
            + ")");
    for (String siteId : sites.keySet()) {
      out.println("Site kit:       " + pki.siteDirectory(siteId));
    }
    out.println("Send each site its own kit over a secure channel: it holds the site's key.");
  }

  private static void addSite(Arguments arguments, PrintStream out)
      throws UsageException, ProvisionException {
    Path root = path(arguments.required("pki"));
    String siteId = arguments.required("site");
    CoordinatorAddress address =
        CoordinatorAddress.parse(arguments.required("coordinator-address"));
    Duration validity =
        Duration.ofDays(
            arguments.positiveInt("validity-days", DEFAULT_VALIDITY_DAYS, MAX_VALIDITY_DAYS));

    PkiDirectory pki = new PkiDirectory(root);
    CertificateAuthority ca = loadCa(pki);
    Path kit = pki.siteDirectory(siteId);
    IssuedCredential credential;
    try {
      credential = ca.issueSite(siteId, validity);
    } catch (IllegalArgumentException e) {
      throw new ProvisionException(e.getMessage(), e);
    }
    if (Files.exists(kit)) {
      throw new ProvisionException(
          "site kit "
              + kit
              + " already exists; remove it first to re-issue site \""
              + siteId
              + "\"");
    }
    try {
      pki.writeSiteKit(ca, siteId, credential, address);
      ConsortiumDirectory directory = new ConsortiumDirectory(root);
      directory.locked(() -> directory.addMembers(List.of(siteId)));
    } catch (FileAlreadyExistsException e) {
      throw new ProvisionException("site kit " + kit + " already exists", e);
    } catch (IOException e) {
      throw new ProvisionException("cannot write site kit " + kit + ": " + describe(e), e);
    }
    out.println("Site kit:       " + kit);
    out.println(
        "Send it to site \""
            + siteId
            + "\" over a secure channel; it holds the site's"
            + " private key.");
  }

  static CertificateAuthority loadCa(PkiDirectory pki) throws ProvisionException {
    Path certificate = pki.caDirectory().resolve(PkiDirectory.CA_CERTIFICATE);
    Path key = pki.caDirectory().resolve(PkiDirectory.CA_KEY);
    String certificatePem;
    String keyPem;
    try {
      certificatePem = Files.readString(certificate, StandardCharsets.US_ASCII);
      keyPem = Files.readString(key, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new ProvisionException(
          "no consortium CA at "
              + pki.caDirectory()
              + ": "
              + e.getFile()
              + " is missing (was the folder created by provision init?)",
          e);
    } catch (IOException e) {
      throw new ProvisionException(
          "cannot read the consortium CA in " + pki.caDirectory() + ": " + describe(e), e);
    }
    try {
      return CertificateAuthority.fromPem(certificatePem, keyPem);
    } catch (PkiException e) {
      throw new ProvisionException(
          "the consortium CA in " + pki.caDirectory() + " is unusable: " + e.getMessage(), e);
    }
  }

  private static void requireEmptyOrAbsent(Path dir) throws ProvisionException {
    if (!Files.exists(dir)) {
      return;
    }
    if (!Files.isDirectory(dir)) {
      throw new ProvisionException("output path " + dir + " exists and is not a directory");
    }
    try (Stream<Path> entries = Files.list(dir)) {
      if (entries.findAny().isPresent()) {
        throw new ProvisionException(
            "output directory "
                + dir
                + " is not empty; choose a new one so that no existing"
                + " keys are overwritten");
      }
    } catch (IOException e) {
      throw new ProvisionException("cannot read output directory " + dir + ": " + describe(e), e);
    }
  }

  static Path path(String text) throws UsageException {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new UsageException("\"" + text + "\" is not a valid path: " + e.getReason());
    }
  }

  /** IOException messages are often just a path; name the kind of failure too. */
  static String describe(IOException e) {
    String kind = e.getClass().getSimpleName().replace("Exception", "");
    return e.getMessage() == null ? kind : kind + " " + e.getMessage();
  }
}
