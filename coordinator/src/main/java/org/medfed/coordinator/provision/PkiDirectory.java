package org.medfed.coordinator.provision;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.IssuedCredential;

/**
 * The on-disk layout written by {@code provision}: {@code ca/}, {@code coordinator/} and one {@code
 * sites/<id>/} startup kit per site. Files are created, never overwritten.
 */
record PkiDirectory(Path root) {
  static final String CA_CERTIFICATE = "ca.crt.pem";
  static final String CA_KEY = "ca.key.pem";
  static final String COORDINATOR_CERTIFICATE = "coordinator.crt.pem";
  static final String COORDINATOR_KEY = "coordinator.key.pem";
  static final String SITE_CERTIFICATE = "site.crt.pem";
  static final String SITE_KEY = "site.key.pem";
  static final String SITE_CONFIG = "site.yaml";

  Path caDirectory() {
    return root.resolve("ca");
  }

  Path coordinatorDirectory() {
    return root.resolve("coordinator");
  }

  Path sitesDirectory() {
    return root.resolve("sites");
  }

  Path siteDirectory(String siteId) {
    return sitesDirectory().resolve(siteId);
  }

  void writeCa(CertificateAuthority ca) throws IOException {
    Path dir = caDirectory();
    createPrivateDirectory(dir);
    writeNew(dir.resolve(CA_CERTIFICATE), ca.certificatePem(), false);
    writeNew(dir.resolve(CA_KEY), ca.privateKeyPem(), true);
  }

  void writeCoordinator(CertificateAuthority ca, IssuedCredential credential) throws IOException {
    Path dir = coordinatorDirectory();
    Files.createDirectory(dir);
    writeNew(dir.resolve(COORDINATOR_CERTIFICATE), credential.certificatePem(), false);
    writeNew(dir.resolve(COORDINATOR_KEY), credential.privateKeyPem(), true);
    writeNew(dir.resolve(CA_CERTIFICATE), ca.certificatePem(), false);
  }

  /** Fails with {@link java.nio.file.FileAlreadyExistsException} if the kit directory exists. */
  void writeSiteKit(
      CertificateAuthority ca,
      String siteId,
      IssuedCredential credential,
      CoordinatorAddress coordinator)
      throws IOException {
    Files.createDirectories(sitesDirectory());
    Path dir = siteDirectory(siteId);
    Files.createDirectory(dir);
    writeNew(dir.resolve(SITE_CERTIFICATE), credential.certificatePem(), false);
    writeNew(dir.resolve(SITE_KEY), credential.privateKeyPem(), true);
    writeNew(dir.resolve(CA_CERTIFICATE), ca.certificatePem(), false);
    writeNew(dir.resolve(SITE_CONFIG), SiteConfigYaml.render(siteId, coordinator), false);
  }

  /** Owner-only (700) where POSIX permissions exist: the CA folder can mint any identity. */
  private static void createPrivateDirectory(Path dir) throws IOException {
    if (supportsPosix(dir)) {
      Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectory(dir);
    }
  }

  /**
   * Creates the file with its final permissions in the same call, so a private key is never
   * readable by others even for an instant.
   */
  private static void writeNew(Path file, String content, boolean secret) throws IOException {
    FileAttribute<?>[] attributes =
        secret && supportsPosix(file)
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
            }
            : new FileAttribute<?>[0];
    try (SeekableByteChannel channel =
        Files.newByteChannel(
            file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
      ByteBuffer buffer = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
  }

  private static boolean supportsPosix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
