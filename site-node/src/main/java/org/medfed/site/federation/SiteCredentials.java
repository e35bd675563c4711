package org.medfed.site.federation;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.pki.Pem;
import org.medfed.crypto.pki.PkiException;
import org.medfed.site.config.ConfigException;
import org.medfed.site.config.TlsFiles;

/**
 * The site's TLS identity, replaceable while the node runs: the key manager it hands to the TLS
 * stack is consulted at every handshake, so after {@link #replace} new connections present the new
 * certificate while open ones carry on. Replacing also writes the files (key owner-only), each by
 * an atomic rename, key first; a crash between the two renames is repaired at the next {@link
 * #load}, which finds the new certificate beside the new key.
 */
public final class SiteCredentials {
  private static final String ALIAS = "medfed-site";
  private static final String PENDING = ".new";

  private final TlsFiles files;
  private final X509Certificate ca;
  private final ReloadableKeyManager keyManager;
  private final List<Runnable> onReplace = new CopyOnWriteArrayList<>();

  private SiteCredentials(TlsFiles files, X509Certificate ca, IssuedCredential credential) {
    this.files = files;
    this.ca = ca;
    this.keyManager = new ReloadableKeyManager(credential);
  }

  /**
   * Reads the site's key, certificate and CA, finishing a renewal that a crash interrupted.
   *
   * @throws ConfigException if a file cannot be read or parsed, or the key does not belong to the
   *     certificate
   */
  public static SiteCredentials load(TlsFiles files) throws ConfigException {
    finishInterruptedRenewal(files);
    X509Certificate certificate = SiteChannels.certificate(files.certificate(), "tls.certificate");
    X509Certificate ca = SiteChannels.certificate(files.caCertificate(), "tls.ca-certificate");
    PrivateKey key = key(files.privateKey());
    try {
      return new SiteCredentials(files, ca, new IssuedCredential(certificate, key));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "tls.private-key "
              + files.privateKey()
              + " does not belong to the certificate in tls.certificate "
              + files.certificate());
    }
  }

  /** The certificate presented at new handshakes. */
  public X509Certificate certificate() {
    return keyManager.credential().certificate();
  }

  /** The current key and certificate, which also sign every message the site sends. */
  public IssuedCredential current() {
    return keyManager.credential();
  }

  /** The consortium CA the site trusts. */
  public X509Certificate ca() {
    return ca;
  }

  public TlsFiles files() {
    return files;
  }

  X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /**
   * Writes the new key and certificate over the old ones and presents them from the next TLS
   * handshake on.
   *
   * @throws IOException if the files cannot be written; the old identity then stays in use
   */
  public void replace(IssuedCredential renewed) throws IOException {
    Objects.requireNonNull(renewed, "renewed");
    Path keyPending = pending(files.privateKey());
    Path certificatePending = pending(files.certificate());
    Files.deleteIfExists(keyPending);
    Files.deleteIfExists(certificatePending);
    writeNew(keyPending, renewed.privateKeyPem(), true);
    writeNew(certificatePending, renewed.certificatePem(), false);
    move(keyPending, files.privateKey());
    move(certificatePending, files.certificate());
    keyManager.replace(renewed);
    onReplace.forEach(Runnable::run);
  }

  /**
   * Runs {@code action} after each {@link #replace}: a channel drops its cached TLS sessions there,
   * since resuming one would present the old certificate again.
   */
  void onReplace(Runnable action) {
    onReplace.add(action);
  }

  /**
   * Writes a first key and certificate (enrolment): neither file may exist yet. The key file is
   * readable by its owner only from the moment it exists.
   *
   * @throws FileAlreadyExistsException if either file exists
   */
  public static void writeFirst(TlsFiles files, IssuedCredential credential) throws IOException {
    for (Path existing : new Path[] {files.privateKey(), files.certificate()}) {
      if (Files.exists(existing)) {
        throw new FileAlreadyExistsException(existing.toString());
      }
    }
    Path keyPending = pending(files.privateKey());
    Path certificatePending = pending(files.certificate());
    Files.deleteIfExists(keyPending);
    Files.deleteIfExists(certificatePending);
    writeNew(keyPending, credential.privateKeyPem(), true);
    writeNew(certificatePending, credential.certificatePem(), false);
    move(keyPending, files.privateKey());
    move(certificatePending, files.certificate());
  }

  /**
   * A renewal writes {@code key.new} and {@code cert.new}, then renames the key, then the
   * certificate. If the key was renamed but the certificate was not, the pending certificate
   * belongs to the key in place: finish the rename. Anything else pending is a renewal that did not
   * get as far as the key and is dropped.
   */
  private static void finishInterruptedRenewal(TlsFiles files) throws ConfigException {
    Path certificatePending = pending(files.certificate());
    Path keyPending = pending(files.privateKey());
    try {
      if (Files.exists(certificatePending) && !Files.exists(keyPending)) {
        X509Certificate pendingCertificate =
            SiteChannels.certificate(certificatePending, "tls.certificate (pending renewal)");
        PrivateKey key = key(files.privateKey());
        try {
          new IssuedCredential(pendingCertificate, key);
          move(certificatePending, files.certificate());
          return;
        } catch (IllegalArgumentException e) {
          // Not the key's certificate: an older leftover.
        }
      }
      Files.deleteIfExists(keyPending);
      Files.deleteIfExists(certificatePending);
    } catch (IOException e) {
      throw new ConfigException(
          "cannot finish the interrupted certificate renewal in "
              + files.certificate().getParent()
              + ": "
              + e.getMessage());
    }
  }

  private static PrivateKey key(Path file) throws ConfigException {
    try {
      return Pem.parsePrivateKey(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new ConfigException("tls.private-key " + file + " cannot be read: " + e.getMessage());
    } catch (PkiException e) {
      throw new ConfigException("tls.private-key " + file + " is unusable: " + e.getMessage());
    }
  }

  private static Path pending(Path file) {
    return file.resolveSibling(file.getFileName() + PENDING);
  }

  private static void writeNew(Path file, String content, boolean secret) throws IOException {
    FileAttribute<?>[] attributes =
        secret && file.getFileSystem().supportedFileAttributeViews().contains("posix")
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
            }
            : new FileAttribute<?>[0];
    try (FileChannel channel =
        FileChannel.open(
            file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
      ByteBuffer buffer = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Presents whatever identity is current at each handshake. A site has exactly one identity, so
   * alias selection ignores the issuers the server lists: the server decides on what it gets. The
   * alias names the identity's generation, so a handshake that chose its alias just before a
   * replacement still gets the key and the certificate of the same generation.
   */
  private static final class ReloadableKeyManager extends X509ExtendedKeyManager {
    private record Generation(String alias, IssuedCredential credential) {}

    private volatile Generation current;
    private volatile Generation previous;
    private long generations;

    ReloadableKeyManager(IssuedCredential credential) {
      this.current = new Generation(ALIAS + "-0", credential);
    }

    synchronized void replace(IssuedCredential credential) {
      previous = current;
      current = new Generation(ALIAS + "-" + ++generations, credential);
    }

    IssuedCredential credential() {
      return current.credential();
    }

    private Generation generation(String alias) {
      Generation now = current;
      if (now.alias().equals(alias)) {
        return now;
      }
      Generation before = previous;
      return before != null && before.alias().equals(alias) ? before : null;
    }

    private String aliasFor(String[] keyTypes) {
      Generation now = current;
      String algorithm = now.credential().privateKey().getAlgorithm();
      return keyTypes == null || Arrays.asList(keyTypes).contains(algorithm) ? now.alias() : null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return aliasFor(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(
        String[] keyTypes, Principal[] issuers, SSLEngine engine) {
      return aliasFor(keyTypes);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      String alias = aliasFor(new String[] {keyType});
      return alias == null ? null : new String[] {alias};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      Generation generation = generation(alias);
      return generation == null
          ? null
          : new X509Certificate[] {generation.credential().certificate()};
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      Generation generation = generation(alias);
      return generation == null ? null : generation.credential().privateKey();
    }
  }
}
