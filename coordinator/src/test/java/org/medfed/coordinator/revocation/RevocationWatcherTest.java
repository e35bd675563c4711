package org.medfed.coordinator.revocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.PkiException;
import org.medfed.crypto.pki.Revocation;
import org.medfed.crypto.sign.Signatures;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.SiteRevoked;

/** The coordinator's view of the revocation list, and its SiteRevoked entries. */
class RevocationWatcherTest {
  private static final Duration DAY = Duration.ofDays(1);

  @TempDir Path dir;

  private final CertificateAuthority ca = CertificateAuthority.create("test", Duration.ofDays(30));
  private final Instant now = Instant.now();

  private ExchangeLog log() throws Exception {
    return ExchangeLog.open(
        dir.resolve("log"),
        Clock.systemUTC(),
        Signatures.signer(
            ca.issueCoordinator("coordinator", List.of("localhost"), List.of(), DAY).privateKey()),
        "test");
  }

  private void writeList(List<Revocation> revocations, long number) throws Exception {
    Files.writeString(
        dir.resolve("crl.pem"), ca.revocationList(revocations, number, now, now.plus(DAY)).pem());
  }

  private static List<SiteRevoked> revocationsIn(ExchangeLog log) throws Exception {
    List<SiteRevoked> found = new ArrayList<>();
    for (LogEntry entry : log.entries(0, log.size())) {
      if (entry.hasDecision() && entry.getDecision().hasSiteRevoked()) {
        found.add(entry.getDecision().getSiteRevoked());
      }
    }
    return found;
  }

  @Test
  void newRevocationIsLoggedOnceAndEnforced() throws Exception {
    X509Certificate site = ca.issueSite("charite", DAY).certificate();
    X509Certificate other = ca.issueSite("charite", DAY).certificate();
    try (ExchangeLog log = log();
        RevocationWatcher watcher =
            RevocationWatcher.start(dir.resolve("crl.pem"), ca.certificate(), log, DAY)) {
      assertTrue(watcher.revocationOf(site).isEmpty(), "no list yet");
      writeList(List.of(new Revocation(site.getSerialNumber(), "charite", "stolen", now)), 1);

      assertTrue(watcher.reload());
      assertFalse(watcher.reload(), "same content, nothing new");

      assertEquals("stolen", watcher.revocationOf(site).orElseThrow().reason());
      assertTrue(watcher.revocationOf(other).isEmpty());
      List<SiteRevoked> logged = revocationsIn(log);
      assertEquals(1, logged.size());
      assertEquals("charite", logged.getFirst().getSite());
      assertEquals(site.getSerialNumber().toString(16), logged.getFirst().getCertificateSerial());
      assertEquals("stolen", logged.getFirst().getReason());
      assertEquals(now.getEpochSecond() * 1000, logged.getFirst().getRevokedAtUnixMillis());
    }
  }

  @Test
  void restartDoesNotLogARevocationAgainAndKeepsItEvenIfTheListForgetsIt() throws Exception {
    X509Certificate site = ca.issueSite("charite", DAY).certificate();
    writeList(List.of(new Revocation(site.getSerialNumber(), "charite", "stolen", now)), 1);
    try (ExchangeLog log = log();
        RevocationWatcher watcher =
            RevocationWatcher.start(dir.resolve("crl.pem"), ca.certificate(), log, DAY)) {
      assertEquals(1, revocationsIn(log).size());
    }
    writeList(List.of(), 0); // an older, emptier list
    try (ExchangeLog log = log();
        RevocationWatcher watcher =
            RevocationWatcher.start(dir.resolve("crl.pem"), ca.certificate(), log, DAY)) {
      assertEquals(1, revocationsIn(log).size());
      assertTrue(watcher.revocationOf(site).isPresent(), "revocation is permanent");
    }
  }

  @Test
  void listFromAnotherCaStopsStartUp() throws Exception {
    CertificateAuthority rogue = CertificateAuthority.create("test", Duration.ofDays(30));
    Files.writeString(
        dir.resolve("crl.pem"), rogue.revocationList(List.of(), 1, now, now.plus(DAY)).pem());
    try (ExchangeLog log = log()) {
      PkiException e =
          assertThrows(
              PkiException.class,
              () -> RevocationWatcher.start(dir.resolve("crl.pem"), ca.certificate(), log, DAY));
      assertTrue(e.getMessage().contains("does not verify with the consortium CA"));
    }
  }

  @Test
  void forgedListOnReloadIsIgnoredAndKnownRevocationsStay() throws Exception {
    X509Certificate site = ca.issueSite("charite", DAY).certificate();
    writeList(List.of(new Revocation(site.getSerialNumber(), "charite", "stolen", now)), 1);
    try (ExchangeLog log = log();
        RevocationWatcher watcher =
            RevocationWatcher.start(dir.resolve("crl.pem"), ca.certificate(), log, DAY)) {
      CertificateAuthority rogue = CertificateAuthority.create("test", Duration.ofDays(30));
      Files.writeString(
          dir.resolve("crl.pem"), rogue.revocationList(List.of(), 2, now, now.plus(DAY)).pem());

      assertFalse(watcher.reload());
      assertTrue(watcher.revocationOf(site).isPresent());
    }
  }
}
