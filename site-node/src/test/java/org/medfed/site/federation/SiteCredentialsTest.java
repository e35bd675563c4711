package org.medfed.site.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.pki.Pem;
import org.medfed.site.config.ConfigException;
import org.medfed.site.config.TlsFiles;

/** The site's replaceable TLS identity and its files. */
class SiteCredentialsTest {
  private static final Duration DAY = Duration.ofDays(1);

  @TempDir Path dir;

  private final CertificateAuthority ca = CertificateAuthority.create("test", DAY);
  private TlsFiles files;

  @BeforeEach
  void kit() throws Exception {
    files =
        new TlsFiles(
            dir.resolve("site.crt.pem"), dir.resolve("site.key.pem"), dir.resolve("ca.crt.pem"));
    Files.writeString(files.caCertificate(), ca.certificatePem());
    SiteCredentials.writeFirst(files, ca.issueSite("charite", DAY));
  }

  private String alias(SiteCredentials credentials) {
    return credentials.keyManager().chooseEngineClientAlias(new String[] {"EC"}, null, null);
  }

  @Test
  void firstKeyIsOwnerOnlyAndFilesAreNeverOverwritten() throws Exception {
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertEquals(
          Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
          Files.getPosixFilePermissions(files.privateKey()));
    }
    assertThrows(
        FileAlreadyExistsException.class,
        () -> SiteCredentials.writeFirst(files, ca.issueSite("charite", DAY)));
  }

  @Test
  void replacementIsWrittenAndPresentedAtTheNextHandshake() throws Exception {
    SiteCredentials credentials = SiteCredentials.load(files);
    String before = alias(credentials);
    IssuedCredential renewed = ca.issueSite("charite", DAY);
    boolean[] notified = {false};
    credentials.onReplace(() -> notified[0] = true);

    credentials.replace(renewed);

    assertTrue(notified[0]);
    String after = alias(credentials);
    assertFalse(before.equals(after));
    assertEquals(renewed.certificate(), credentials.keyManager().getCertificateChain(after)[0]);
    assertEquals(renewed.privateKey(), credentials.keyManager().getPrivateKey(after));
    assertEquals(
        renewed.certificate(), Pem.parseCertificate(Files.readString(files.certificate())));
    assertArrayEquals(
        renewed.privateKey().getEncoded(),
        Pem.parsePrivateKey(Files.readString(files.privateKey())).getEncoded());
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertEquals(
          Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
          Files.getPosixFilePermissions(files.privateKey()));
    }
    assertFalse(Files.exists(dir.resolve("site.key.pem.new")));
    assertFalse(Files.exists(dir.resolve("site.crt.pem.new")));
  }

  @Test
  void handshakeThatChoseItsAliasBeforeAReplacementGetsAMatchingPair() throws Exception {
    SiteCredentials credentials = SiteCredentials.load(files);
    String chosen = alias(credentials);
    X509Certificate old = credentials.certificate();

    credentials.replace(ca.issueSite("charite", DAY));

    assertEquals(old, credentials.keyManager().getCertificateChain(chosen)[0]);
    new IssuedCredential(old, credentials.keyManager().getPrivateKey(chosen));
  }

  @Test
  void renewalInterruptedBetweenTheTwoRenamesIsFinishedAtLoad() throws Exception {
    IssuedCredential renewed = ca.issueSite("charite", DAY);
    // The crash left the new key in place and the new certificate beside the old one.
    Files.writeString(files.privateKey(), renewed.privateKeyPem());
    Files.writeString(dir.resolve("site.crt.pem.new"), renewed.certificatePem());

    SiteCredentials credentials = SiteCredentials.load(files);

    assertEquals(renewed.certificate(), credentials.certificate());
    assertFalse(Files.exists(dir.resolve("site.crt.pem.new")));
  }

  @Test
  void renewalInterruptedBeforeTheKeyMovedIsDropped() throws Exception {
    X509Certificate current = Pem.parseCertificate(Files.readString(files.certificate()));
    IssuedCredential renewed = ca.issueSite("charite", DAY);
    Files.writeString(dir.resolve("site.key.pem.new"), renewed.privateKeyPem());
    Files.writeString(dir.resolve("site.crt.pem.new"), renewed.certificatePem());

    assertEquals(current, SiteCredentials.load(files).certificate());
    assertFalse(Files.exists(dir.resolve("site.key.pem.new")));
  }

  @Test
  void keyOfAnotherCertificateIsRefused() throws Exception {
    Files.writeString(files.privateKey(), ca.issueSite("charite", DAY).privateKeyPem());
    ConfigException e = assertThrows(ConfigException.class, () -> SiteCredentials.load(files));
    assertTrue(e.getMessage().contains("does not belong to the certificate"), e.getMessage());
  }
}
