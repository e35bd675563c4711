package org.medfed.coordinator.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.enrolment.ConsortiumDirectory;
import org.medfed.crypto.pki.EnrolmentToken;
import org.medfed.crypto.pki.Pem;
import org.medfed.crypto.pki.Revocation;
import org.medfed.crypto.pki.RevocationList;

/** {@code provision enrol-token}, {@code revoke} and {@code remove-site}. */
class ProvisionLifecycleTest {
  @TempDir Path temp;

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

  private int run(String... args) {
    outBytes.reset();
    errBytes.reset();
    return ProvisionCommand.run(
        List.of(args),
        new PrintStream(outBytes, true, StandardCharsets.UTF_8),
        new PrintStream(errBytes, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private Path init(String sites) {
    Path pki = temp.resolve("pki");
    assertEquals(
        0,
        run(
            "init",
            "--out",
            pki.toString(),
            "--consortium",
            "heart-study",
            "--coordinator-address",
            "localhost:7443",
            "--sites",
            sites),
        err());
    return pki;
  }

  private static X509Certificate certificate(Path file) throws Exception {
    return Pem.parseCertificate(Files.readString(file));
  }

  private static RevocationList list(Path pki) throws Exception {
    return RevocationList.parse(
        Files.readString(pki.resolve("crl.pem")), certificate(pki.resolve("ca/ca.crt.pem")));
  }

  private static List<String> allText(Path root) throws Exception {
    List<String> texts = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        texts.add(Files.readString(file, StandardCharsets.ISO_8859_1));
      }
    }
    return texts;
  }

  @Test
  void enrolTokenPrintsTheTokenOnceAndKeepsOnlyItsDigest() throws Exception {
    Path pki = init("charite");
    assertEquals(0, run("enrol-token", "--pki", pki.toString(), "--site", "basel"), err());

    EnrolmentToken token = EnrolmentToken.parse(out().lines().findFirst().orElseThrow());
    assertEquals("basel", token.siteId());
    Duration validFor = Duration.between(Instant.now(), token.expiresAt());
    assertTrue(validFor.compareTo(Duration.ofHours(23)) > 0, validFor.toString());
    assertTrue(validFor.compareTo(Duration.ofHours(24)) <= 0, validFor.toString());
    ConsortiumDirectory directory = new ConsortiumDirectory(pki);
    assertEquals(token.digest(), directory.outstandingToken("basel").orElseThrow());
    assertTrue(directory.isMember("basel"));
    String secret = token.reveal().substring(token.reveal().lastIndexOf('.') + 1);
    assertTrue(allText(pki).stream().noneMatch(text -> text.contains(secret)));
    assertTrue(Files.exists(pki.resolve("sites/charite")), "other kits untouched");
  }

  @Test
  void enrolTokenFileIsOwnerOnly() throws Exception {
    Path pki = init("charite");
    assertEquals(0, run("enrol-token", "--pki", pki.toString(), "--site", "basel"), err());
    Path file = pki.resolve("enrolment/basel.token");
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertEquals(
          Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
          Files.getPosixFilePermissions(file));
    }
  }

  @Test
  void enrolTokenHonoursValidFor() throws Exception {
    Path pki = init("charite");
    assertEquals(
        0,
        run("enrol-token", "--pki", pki.toString(), "--site", "basel", "--valid-for", "30m"),
        err());
    EnrolmentToken token = EnrolmentToken.parse(out().lines().findFirst().orElseThrow());
    assertTrue(Duration.between(Instant.now(), token.expiresAt()).toMinutes() <= 30);
  }

  @Test
  void badValidForAndBadSiteAreRefused() {
    Path pki = init("charite");
    assertEquals(
        2, run("enrol-token", "--pki", pki.toString(), "--site", "basel", "--valid-for", "1y"));
    assertTrue(err().contains("option --valid-for must be a number with m, h or d"), err());
    assertEquals(
        2, run("enrol-token", "--pki", pki.toString(), "--site", "basel", "--valid-for", "31d"));
    assertTrue(err().contains("at most 30d"), err());
    assertEquals(1, run("enrol-token", "--pki", pki.toString(), "--site", "Basel Uni"));
    assertTrue(err().contains("invalid site id"), err());
  }

  @Test
  void enrolTokenOutsideAConsortiumDirectoryFails() throws Exception {
    Path empty = Files.createDirectories(temp.resolve("empty"));
    assertEquals(1, run("enrol-token", "--pki", empty.toString(), "--site", "basel"));
    assertTrue(err().contains("no consortium CA at"), err());
  }

  @Test
  void revokeSiteRevokesItsKitCertificateInASignedList() throws Exception {
    Path pki = init("charite,hug");
    BigInteger serial = certificate(pki.resolve("sites/charite/site.crt.pem")).getSerialNumber();

    assertEquals(
        0,
        run("revoke", "--pki", pki.toString(), "--site", "charite", "--reason", "key leaked"),
        err());

    RevocationList list = list(pki);
    assertEquals(1, list.number());
    Revocation revocation = list.find(serial).orElseThrow();
    assertEquals("charite", revocation.siteId());
    assertEquals("key leaked", revocation.reason());
    assertTrue(out().contains("Revoked certificate serial " + serial.toString(16)), out());
    BigInteger other = certificate(pki.resolve("sites/hug/site.crt.pem")).getSerialNumber();
    assertTrue(list.find(other).isEmpty());
  }

  @Test
  void revokeBySerialAddsToTheListAndRaisesItsNumber() throws Exception {
    Path pki = init("charite,hug");
    assertEquals(
        0, run("revoke", "--pki", pki.toString(), "--site", "charite", "--reason", "a"), err());
    BigInteger hug = certificate(pki.resolve("sites/hug/site.crt.pem")).getSerialNumber();

    assertEquals(
        0,
        run("revoke", "--pki", pki.toString(), "--serial", hug.toString(16), "--reason", "b"),
        err());

    RevocationList list = list(pki);
    assertEquals(2, list.number());
    assertEquals(2, list.revocations().size());
    assertEquals("hug", list.find(hug).orElseThrow().siteId());
  }

  @Test
  void revokingTwiceOrAnUnknownSerialFailsAndChangesNothing() throws Exception {
    Path pki = init("charite");
    assertEquals(
        0, run("revoke", "--pki", pki.toString(), "--site", "charite", "--reason", "a"), err());
    String before = Files.readString(pki.resolve("crl.pem"));
    BigInteger serial = certificate(pki.resolve("sites/charite/site.crt.pem")).getSerialNumber();

    assertEquals(1, run("revoke", "--pki", pki.toString(), "--site", "charite", "--reason", "a"));
    assertTrue(err().contains("has no unexpired certificate that is not already revoked"), err());
    assertEquals(
        1,
        run("revoke", "--pki", pki.toString(), "--serial", serial.toString(16), "--reason", "a"));
    assertTrue(err().contains("is already revoked"), err());
    assertEquals(1, run("revoke", "--pki", pki.toString(), "--serial", "abc123", "--reason", "a"));
    assertTrue(err().contains("no certificate with serial abc123 was issued"), err());
    assertEquals(before, Files.readString(pki.resolve("crl.pem")));
  }

  @Test
  void revokeNeedsExactlyOneTargetAndAReason() {
    Path pki = init("charite");
    assertEquals(2, run("revoke", "--pki", pki.toString(), "--reason", "a"));
    assertTrue(err().contains("exactly one of --site and --serial"), err());
    assertEquals(
        2,
        run(
            "revoke",
            "--pki",
            pki.toString(),
            "--site",
            "charite",
            "--serial",
            "1",
            "--reason",
            "a"));
    assertEquals(2, run("revoke", "--pki", pki.toString(), "--site", "charite"));
    assertTrue(err().contains("missing required option --reason"), err());
    assertEquals(2, run("revoke", "--pki", pki.toString(), "--serial", "xyz", "--reason", "a"));
    assertTrue(err().contains("hexadecimal"), err());
  }

  @Test
  void removeSiteRevokesWithdrawsTheTokenAndDropsTheMember() throws Exception {
    Path pki = init("charite,hug");
    assertEquals(0, run("enrol-token", "--pki", pki.toString(), "--site", "charite"), err());
    BigInteger serial = certificate(pki.resolve("sites/charite/site.crt.pem")).getSerialNumber();

    assertEquals(
        0,
        run("remove-site", "--pki", pki.toString(), "--site", "charite", "--reason", "left"),
        err());

    ConsortiumDirectory directory = new ConsortiumDirectory(pki);
    assertFalse(directory.isMember("charite"));
    assertTrue(directory.isMember("hug"));
    assertTrue(directory.outstandingToken("charite").isEmpty());
    assertEquals(
        "removed from the consortium: left", list(pki).find(serial).orElseThrow().reason());
    assertTrue(out().contains("a coordinator refuses to start a study that invites it"), out());
  }

  @Test
  void removingANonMemberFails() {
    Path pki = init("charite");
    assertEquals(1, run("remove-site", "--pki", pki.toString(), "--site", "basel"));
    assertEquals("provision: site \"basel\" is not a member of the consortium", err().strip());
  }
}
