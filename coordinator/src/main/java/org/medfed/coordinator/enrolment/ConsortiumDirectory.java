package org.medfed.coordinator.enrolment;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.EnrolmentToken;
import org.medfed.crypto.pki.Pem;
import org.medfed.crypto.pki.PkiException;
import org.medfed.crypto.pki.RevocationList;

/**
 * The certificate-lifecycle files of the consortium's PKI directory (the folder {@code provision
 * init} made), shared by the {@code provision} command and a coordinator that issues certificates:
 *
 * <pre>
 * ca/ca.crt.pem, ca/ca.key.pem   the consortium CA (written by init)
 * sites.txt                      the consortium's member sites, one id per line
 * issued.tsv                     every site certificate issued: serial, site, not-after, when, how
 * enrolment/SITE.token           the digest of SITE's outstanding enrolment token (never the token)
 * enrolment/used.txt             digests of used tokens, with when they were used
 * crl.pem                        the revocation list, signed by the CA
 * </pre>
 *
 * <p>Every change happens under a lock (a file lock for other processes, a monitor for this one),
 * and files that are replaced are replaced atomically, so a coordinator reading them never sees
 * half a file and two writers never lose each other's changes.
 */
public final class ConsortiumDirectory {
  public static final String MEMBERS = "sites.txt";
  public static final String ISSUED = "issued.tsv";
  public static final String CRL = "crl.pem";
  static final String TOKENS = "enrolment";
  static final String USED_TOKENS = "used.txt";
  private static final String LOCK = ".lock";
  private static final Object PROCESS_LOCK = new Object();

  private final Path root;

  public ConsortiumDirectory(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  public Path caCertificateFile() {
    return root.resolve("ca").resolve("ca.crt.pem");
  }

  public Path caKeyFile() {
    return root.resolve("ca").resolve("ca.key.pem");
  }

  public Path crlFile() {
    return root.resolve(CRL);
  }

  public Path membersFile() {
    return root.resolve(MEMBERS);
  }

  /** Whether this looks like a consortium directory: it holds the CA certificate. */
  public boolean exists() {
    return Files.isRegularFile(caCertificateFile());
  }

  /** The CA certificate only: enough to check what the CA signed. */
  public X509Certificate caCertificate() throws IOException, PkiException {
    return Pem.parseCertificate(Files.readString(caCertificateFile(), StandardCharsets.US_ASCII));
  }

  /** The CA with its private key: only where the consortium keeps (or mounts) the CA key. */
  public CertificateAuthority certificateAuthority() throws IOException, PkiException {
    return CertificateAuthority.fromPem(
        Files.readString(caCertificateFile(), StandardCharsets.US_ASCII),
        Files.readString(caKeyFile(), StandardCharsets.US_ASCII));
  }

  /** Runs {@code action} holding the directory's lock. */
  public <T> T locked(IoAction<T> action) throws IOException {
    synchronized (PROCESS_LOCK) {
      try (FileChannel channel =
              FileChannel.open(
                  root.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        return action.run();
      }
    }
  }

  /** Something done with the directory's files under its lock. */
  @FunctionalInterface
  public interface IoAction<T> {
    T run() throws IOException;
  }

  // --- members ---------------------------------------------------------------------------------

  /**
   * The member sites. A directory made before {@code sites.txt} existed counts every startup kit
   * folder under {@code sites/} as a member.
   */
  public SortedSet<String> members() throws IOException {
    Path file = membersFile();
    SortedSet<String> members = new TreeSet<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String site = line.strip();
        if (!site.isEmpty() && !site.startsWith("#")) {
          members.add(site);
        }
      }
      return members;
    }
    Path kits = root.resolve("sites");
    if (Files.isDirectory(kits)) {
      try (Stream<Path> entries = Files.list(kits)) {
        entries
            .filter(Files::isDirectory)
            .forEach(dir -> members.add(dir.getFileName().toString()));
      }
    }
    return members;
  }

  public boolean isMember(String siteId) throws IOException {
    return members().contains(siteId);
  }

  /** Adds members (call under {@link #locked}); returns whether anything changed. */
  public boolean addMembers(List<String> siteIds) throws IOException {
    SortedSet<String> members = members();
    boolean changed = members.addAll(siteIds) || !Files.exists(membersFile());
    if (changed) {
      writeMembers(members);
    }
    return changed;
  }

  /** Removes a member (call under {@link #locked}); returns whether it was one. */
  public boolean removeMember(String siteId) throws IOException {
    SortedSet<String> members = members();
    boolean removed = members.remove(siteId);
    writeMembers(members);
    return removed;
  }

  private void writeMembers(SortedSet<String> members) throws IOException {
    StringBuilder text =
        new StringBuilder(
            "# The consortium's member sites, one id per line. Maintained by provision\n"
                + "# (init, add-site, enrol-token, remove-site); a study may invite only these.\n");
    members.forEach(site -> text.append(site).append('\n'));
    replace(membersFile(), text.toString(), false);
  }

  // --- enrolment tokens ------------------------------------------------------------------------

  private Path tokenFile(String siteId) {
    return root.resolve(TOKENS).resolve(siteId + ".token");
  }

  /**
   * Stores the digest of a site's new enrolment token (call under {@link #locked}), replacing the
   * site's outstanding token if it has one: only the newest token works.
   */
  public void storeToken(EnrolmentToken.Digest digest) throws IOException {
    Files.createDirectories(root.resolve(TOKENS));
    replace(tokenFile(digest.siteId()), digest.encode() + "\n", true);
  }

  /** The digest of the site's outstanding token, if it has one. */
  public Optional<EnrolmentToken.Digest> outstandingToken(String siteId) throws IOException {
    try {
      return Optional.of(
          EnrolmentToken.Digest.parse(
              Files.readString(tokenFile(siteId), StandardCharsets.US_ASCII)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (PkiException e) {
      throw new IOException(
          "the enrolment token file " + tokenFile(siteId) + " is damaged: " + e.getMessage(), e);
    }
  }

  /** When the token was used to enrol, if it was. */
  public Optional<Instant> usedAt(EnrolmentToken token) throws IOException {
    Path used = root.resolve(TOKENS).resolve(USED_TOKENS);
    if (!Files.exists(used)) {
      return Optional.empty();
    }
    String hash = HexFormat.of().formatHex(token.digest().sha256());
    for (String line : Files.readAllLines(used, StandardCharsets.US_ASCII)) {
      String[] fields = line.strip().split(" ");
      if (fields.length == 3 && MessageDigest.isEqual(bytes(fields[0]), bytes(hash))) {
        return Optional.of(Instant.parse(fields[2]));
      }
    }
    return Optional.empty();
  }

  /**
   * Marks the site's outstanding token used (call under {@link #locked}): its file goes and its
   * digest is kept in {@code used.txt}, so a second use is refused with the date of the first.
   */
  public void consumeToken(EnrolmentToken.Digest digest, Instant at) throws IOException {
    Path used = root.resolve(TOKENS).resolve(USED_TOKENS);
    append(
        used, HexFormat.of().formatHex(digest.sha256()) + " " + digest.siteId() + " " + at + "\n");
    Files.deleteIfExists(tokenFile(digest.siteId()));
  }

  /** Withdraws the site's outstanding token, if any (call under {@link #locked}). */
  public boolean dropToken(String siteId) throws IOException {
    return Files.deleteIfExists(tokenFile(siteId));
  }

  // --- issued certificates ---------------------------------------------------------------------

  /** One line of {@code issued.tsv}. */
  public record Issued(BigInteger serial, String siteId, Instant notAfter, Instant issuedAt) {}

  /** Appends an issued site certificate to the register. */
  public void recordIssued(X509Certificate certificate, String siteId, String how, Instant at)
      throws IOException {
    append(
        root.resolve(ISSUED),
        certificate.getSerialNumber().toString(16)
            + "\t"
            + siteId
            + "\t"
            + certificate.getNotAfter().toInstant()
            + "\t"
            + at
            + "\t"
            + how
            + "\n");
  }

  /** Every site certificate in the register, oldest first. */
  public List<Issued> issued() throws IOException {
    Path file = root.resolve(ISSUED);
    List<Issued> issued = new ArrayList<>();
    if (!Files.exists(file)) {
      return issued;
    }
    int number = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      number++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\t");
      try {
        issued.add(
            new Issued(
                new BigInteger(fields[0], 16),
                fields[1],
                Instant.parse(fields[2]),
                Instant.parse(fields[3])));
      } catch (RuntimeException e) {
        throw new IOException(file + " line " + number + " is not a register line", e);
      }
    }
    return issued;
  }

  // --- revocation list -------------------------------------------------------------------------

  /** The current revocation list, checked against the CA, if there is one. */
  public Optional<RevocationList> revocationList(X509Certificate ca)
      throws IOException, PkiException {
    try {
      return Optional.of(
          RevocationList.parse(Files.readString(crlFile(), StandardCharsets.US_ASCII), ca));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** Replaces the revocation list atomically (call under {@link #locked}). */
  public void writeRevocationList(RevocationList list) throws IOException {
    replace(crlFile(), list.pem(), false);
  }

  // --- file helpers ----------------------------------------------------------------------------

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** Appends a line and forces it to disk. */
  private static void append(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    try (FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
  }

  /**
   * Writes a temporary file beside the target (owner-only when secret), forces it to disk and
   * renames it over the target: readers see the old file or the new one, never a mixture.
   */
  static void replace(Path file, String text, boolean secret) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path temp =
        secret && dir.getFileSystem().supportedFileAttributeViews().contains("posix")
            ? Files.createTempFile(
                dir,
                "." + file.getFileName(),
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
            : Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }
}
