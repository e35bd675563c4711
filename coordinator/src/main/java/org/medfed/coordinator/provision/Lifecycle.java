package org.medfed.coordinator.provision;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.medfed.coordinator.enrolment.ConsortiumDirectory;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.EnrolmentToken;
import org.medfed.crypto.pki.Pem;
import org.medfed.crypto.pki.PkiException;
import org.medfed.crypto.pki.Revocation;
import org.medfed.crypto.pki.RevocationList;

/**
 * The certificate-lifecycle subcommands: {@code enrol-token}, {@code revoke}, {@code remove-site}.
 */
final class Lifecycle {
  private static final Duration DEFAULT_TOKEN_VALIDITY = Duration.ofHours(24);
  private static final Duration MAX_TOKEN_VALIDITY = Duration.ofDays(30);
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,6})([mhd])");

  /**
   * How long a revocation list says it stays current. Lists are re-signed whenever something is
   * revoked; the coordinator enforces the latest one it has whatever this date says.
   */
  private static final Duration CRL_VALIDITY = Duration.ofDays(365);

  private static final String REMOVED = "removed from the consortium";

  private Lifecycle() {}

  static void enrolToken(Arguments arguments, PrintStream out)
      throws UsageException, ProvisionException {
    ConsortiumDirectory directory = directory(arguments);
    String siteId = arguments.required("site");
    Duration validFor = duration(arguments.optional("valid-for"));
    EnrolmentToken token;
    try {
      token = EnrolmentToken.generate(siteId, Instant.now().plus(validFor), new SecureRandom());
    } catch (IllegalArgumentException e) {
      throw new ProvisionException(e.getMessage(), e);
    }
    try {
      directory.locked(
          () -> {
            directory.storeToken(token.digest());
            directory.addMembers(List.of(siteId));
            return null;
          });
    } catch (IOException e) {
      throw new ProvisionException(
          "cannot store the enrolment token in " + directory.root() + ": " + describe(e), e);
    }
    out.println(token.reveal());
    out.println(
        "Enrolment token for site \""
            + siteId
            + "\", usable once until "
            + token.expiresAt()
            + ". It is shown only now:");
    out.println(
        "give it to the site over a channel you trust. The site enrolls with: medfed-site enrol"
            + " --config site.yaml --token TOKEN");
  }

  static void revoke(Arguments arguments, PrintStream out)
      throws UsageException, ProvisionException {
    ConsortiumDirectory directory = directory(arguments);
    Optional<String> site = arguments.optional("site");
    Optional<String> serialText = arguments.optional("serial");
    if (site.isPresent() == serialText.isPresent()) {
      throw new UsageException("give exactly one of --site and --serial");
    }
    String reason = arguments.required("reason");
    BigInteger serial = serialText.isPresent() ? serial(serialText.get()) : null;
    CertificateAuthority ca = ProvisionCommand.loadCa(new PkiDirectory(directory.root()));
    List<Revocation> revoked =
        underLock(
            directory,
            () -> {
              RevocationList current = currentList(directory, ca);
              Instant now = Instant.now();
              List<Revocation> targets;
              if (serial != null) {
                Known known = known(directory).get(serial);
                if (known == null) {
                  throw new ProvisionException(
                      "no certificate with serial "
                          + serial.toString(16)
                          + " was issued from "
                          + directory.root()
                          + " (it is in neither "
                          + ConsortiumDirectory.ISSUED
                          + " nor a site kit)");
                }
                Optional<Revocation> already =
                    current == null ? Optional.empty() : current.find(serial);
                if (already.isPresent()) {
                  throw new ProvisionException(
                      "certificate serial "
                          + serial.toString(16)
                          + " of site \""
                          + known.siteId
                          + "\" is already revoked (at "
                          + already.get().revokedAt()
                          + ": "
                          + already.get().reason()
                          + ")");
                }
                targets = List.of(revocation(serial, known.siteId, reason, now));
              } else {
                targets = revocable(directory, current, site.get(), reason, now);
                if (targets.isEmpty()) {
                  throw new ProvisionException(
                      "site \""
                          + site.get()
                          + "\" has no unexpired certificate that is not already revoked");
                }
              }
              writeList(directory, ca, current, targets, now);
              return targets;
            });
    for (Revocation revocation : revoked) {
      out.println(
          "Revoked certificate serial "
              + revocation.serialHex()
              + " of site \""
              + revocation.siteId()
              + "\".");
    }
    out.println(
        "Revocation list: "
            + directory.crlFile()
            + ". A coordinator enforcing it refuses these certificates within seconds.");
  }

  static void removeSite(Arguments arguments, PrintStream out)
      throws UsageException, ProvisionException {
    ConsortiumDirectory directory = directory(arguments);
    String siteId = arguments.required("site");
    String reason =
        arguments.optional("reason").map(r -> REMOVED + ": " + r.strip()).orElse(REMOVED);
    CertificateAuthority ca = ProvisionCommand.loadCa(new PkiDirectory(directory.root()));
    List<Revocation> revoked =
        underLock(
            directory,
            () -> {
              RevocationList current = currentList(directory, ca);
              Instant now = Instant.now();
              List<Revocation> targets = revocable(directory, current, siteId, reason, now);
              try {
                if (!directory.isMember(siteId) && targets.isEmpty()) {
                  throw new ProvisionException(
                      "site \"" + siteId + "\" is not a member of the consortium");
                }
                if (!targets.isEmpty()) {
                  writeList(directory, ca, current, targets, now);
                }
                directory.dropToken(siteId);
                directory.removeMember(siteId);
              } catch (IOException e) {
                throw new ProvisionException(
                    "cannot update " + directory.root() + ": " + describe(e), e);
              }
              return targets;
            });
    for (Revocation revocation : revoked) {
      out.println("Revoked certificate serial " + revocation.serialHex() + ".");
    }
    out.println(
        "Removed site \""
            + siteId
            + "\" from "
            + directory.membersFile()
            + ": a coordinator refuses to start a study that invites it.");
  }

  private static List<Revocation> revocable(
      ConsortiumDirectory directory,
      RevocationList current,
      String siteId,
      String reason,
      Instant now)
      throws ProvisionException {
    List<Revocation> targets = new ArrayList<>();
    for (Known known : known(directory).values()) {
      boolean alreadyRevoked = current != null && current.find(known.serial).isPresent();
      if (known.siteId.equals(siteId) && known.notAfter.isAfter(now) && !alreadyRevoked) {
        targets.add(revocation(known.serial, siteId, reason, now));
      }
    }
    return targets;
  }

  private static Revocation revocation(BigInteger serial, String siteId, String reason, Instant now)
      throws ProvisionException {
    try {
      return new Revocation(serial, siteId, reason.strip(), now);
    } catch (IllegalArgumentException e) {
      throw new ProvisionException(e.getMessage(), e);
    }
  }

  private static void writeList(
      ConsortiumDirectory directory,
      CertificateAuthority ca,
      RevocationList current,
      List<Revocation> added,
      Instant now)
      throws ProvisionException {
    List<Revocation> all = new ArrayList<>();
    if (current != null) {
      all.addAll(current.revocations());
    }
    all.addAll(added);
    long number = current == null ? 1 : current.number() + 1;
    RevocationList list = ca.revocationList(all, number, now, now.plus(CRL_VALIDITY));
    try {
      directory.writeRevocationList(list);
    } catch (IOException e) {
      throw new ProvisionException(
          "cannot write the revocation list " + directory.crlFile() + ": " + describe(e), e);
    }
  }

  private static RevocationList currentList(ConsortiumDirectory directory, CertificateAuthority ca)
      throws ProvisionException {
    try {
      return directory.revocationList(ca.certificate()).orElse(null);
    } catch (IOException e) {
      throw new ProvisionException(
          "cannot read the revocation list " + directory.crlFile() + ": " + describe(e), e);
    } catch (PkiException e) {
      throw new ProvisionException(
          "the revocation list " + directory.crlFile() + " is unusable: " + e.getMessage(), e);
    }
  }

  /** A site certificate the consortium issued, from the register or from a startup kit. */
  private record Known(BigInteger serial, String siteId, Instant notAfter) {}

  private static Map<BigInteger, Known> known(ConsortiumDirectory directory)
      throws ProvisionException {
    Map<BigInteger, Known> known = new LinkedHashMap<>();
    try {
      for (ConsortiumDirectory.Issued issued : directory.issued()) {
        known.put(issued.serial(), new Known(issued.serial(), issued.siteId(), issued.notAfter()));
      }
      Path kits = directory.root().resolve("sites");
      if (Files.isDirectory(kits)) {
        List<Path> kitDirectories;
        try (Stream<Path> entries = Files.list(kits)) {
          kitDirectories = entries.filter(Files::isDirectory).sorted().toList();
        }
        for (Path kit : kitDirectories) {
          Path file = kit.resolve(PkiDirectory.SITE_CERTIFICATE);
          if (Files.isRegularFile(file)) {
            X509Certificate certificate =
                Pem.parseCertificate(Files.readString(file, StandardCharsets.US_ASCII));
            known.putIfAbsent(
                certificate.getSerialNumber(),
                new Known(
                    certificate.getSerialNumber(),
                    kit.getFileName().toString(),
                    certificate.getNotAfter().toInstant()));
          }
        }
      }
    } catch (IOException e) {
      throw new ProvisionException(
          "cannot read the issued certificates in " + directory.root() + ": " + describe(e), e);
    } catch (PkiException e) {
      throw new ProvisionException(
          "a site kit certificate in " + directory.root() + " is unusable: " + e.getMessage(), e);
    }
    return known;
  }

  private static ConsortiumDirectory directory(Arguments arguments)
      throws UsageException, ProvisionException {
    ConsortiumDirectory directory =
        new ConsortiumDirectory(ProvisionCommand.path(arguments.required("pki")));
    if (!directory.exists()) {
      throw new ProvisionException(
          "no consortium CA at "
              + directory.root().resolve("ca")
              + ": "
              + directory.caCertificateFile()
              + " is missing (was the folder created by provision init?)");
    }
    return directory;
  }

  private static BigInteger serial(String text) throws UsageException {
    String hex = text.strip().toLowerCase(java.util.Locale.ROOT).replace(":", "");
    if (hex.startsWith("0x")) {
      hex = hex.substring(2);
    }
    if (!hex.matches("[0-9a-f]{1,64}")) {
      throw new UsageException(
          "option --serial must be a hexadecimal certificate serial, got \"" + text + "\"");
    }
    return new BigInteger(hex, 16);
  }

  static Duration duration(Optional<String> text) throws UsageException {
    if (text.isEmpty()) {
      return DEFAULT_TOKEN_VALIDITY;
    }
    Matcher matcher = DURATION.matcher(text.get().strip());
    if (!matcher.matches()) {
      throw new UsageException(
          "option --valid-for must be a number with m, h or d (e.g. 30m, 24h, 7d), got \""
              + text.get()
              + "\"");
    }
    long amount = Long.parseLong(matcher.group(1));
    Duration duration =
        switch (matcher.group(2)) {
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        };
    if (duration.isZero() || duration.compareTo(MAX_TOKEN_VALIDITY) > 0) {
      throw new UsageException(
          "option --valid-for must be more than 0 and at most 30d, got \"" + text.get() + "\"");
    }
    return duration;
  }

  private static String describe(IOException e) {
    return ProvisionCommand.describe(e);
  }

  /** Runs under the directory's lock, passing a {@link ProvisionException} through. */
  private static <T> T underLock(ConsortiumDirectory directory, Action<T> action)
      throws ProvisionException {
    try {
      return directory.locked(
          () -> {
            try {
              return action.run();
            } catch (ProvisionException e) {
              throw new Failed(e);
            }
          });
    } catch (Failed e) {
      throw (ProvisionException) e.getCause();
    } catch (IOException e) {
      throw new ProvisionException("cannot lock " + directory.root() + ": " + describe(e), e);
    }
  }

  private interface Action<T> {
    T run() throws ProvisionException;
  }

  private static final class Failed extends IOException {
    private static final long serialVersionUID = 1L;

    Failed(ProvisionException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
