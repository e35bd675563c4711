package org.medfed.coordinator.revocation;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.crypto.pki.PkiException;
import org.medfed.crypto.pki.Revocation;
import org.medfed.crypto.pki.RevocationList;
import org.medfed.proto.v1.CoordinatorDecision;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.SiteRevoked;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The revocations the coordinator enforces: the consortium's signed revocation list (CRL) file,
 * loaded at start and reloaded whenever its content changes (checked every {@code interval}), plus
 * every revocation already in the exchange log. A revocation is permanent: a later (or older) list
 * that no longer names a certificate does not bring it back.
 *
 * <p>Each revocation is recorded once in the exchange log as a {@code SiteRevoked} decision, before
 * the coordinator starts refusing the certificate. A list that is not signed by the consortium CA
 * or cannot be read is refused at start (the coordinator does not start) and ignored with an error
 * in the log on reload (the revocations already known stay in force).
 */
public final class RevocationWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RevocationWatcher.class);
  private static final int SCAN_BATCH = 10_000;

  private final Path file;
  private final X509Certificate ca;
  private final ExchangeLog exchangeLog;
  private final Map<BigInteger, Revocation> revoked = new HashMap<>();
  private volatile Map<BigInteger, Revocation> snapshot = Map.of();
  private byte[] lastContent;
  private long listNumber = -1;
  private Thread thread;

  private RevocationWatcher(Path file, X509Certificate ca, ExchangeLog exchangeLog) {
    this.file = file;
    this.ca = ca;
    this.exchangeLog = exchangeLog;
  }

  /** No revocation list: nothing is revoked. */
  public static RevocationWatcher none() {
    return new RevocationWatcher(null, null, null);
  }

  /**
   * Loads the list (a missing file means no revocations yet), records new revocations in the
   * exchange log, and watches the file.
   *
   * @throws PkiException if the file exists but is not a list signed by {@code ca}
   * @throws IOException if the file or the exchange log cannot be read
   */
  public static RevocationWatcher start(
      Path file, X509Certificate ca, ExchangeLog exchangeLog, Duration interval)
      throws IOException, PkiException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(ca, "ca");
    Objects.requireNonNull(exchangeLog, "exchangeLog");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("the check interval must be positive, was " + interval);
    }
    RevocationWatcher watcher = new RevocationWatcher(file, ca, exchangeLog);
    watcher.loadLogged();
    if (!watcher.load(true)) {
      log.atInfo()
          .setMessage("no revocation list yet; watching for one")
          .addKeyValue("file", file)
          .log();
    }
    watcher.thread =
        Thread.ofPlatform()
            .daemon()
            .name("revocation-list-watcher")
            .start(() -> watcher.watch(interval));
    return watcher;
  }

  /** The revocation of this certificate, if the consortium CA revoked it. */
  public Optional<Revocation> revocationOf(X509Certificate certificate) {
    if (ca == null || !certificate.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      return Optional.empty();
    }
    return Optional.ofNullable(snapshot.get(certificate.getSerialNumber()));
  }

  /** Every revocation in force, by serial. */
  public Map<BigInteger, Revocation> revocations() {
    return snapshot;
  }

  /**
   * Reads the file now instead of at the next check; returns whether a changed list took effect.
   * The operator's way to force a reload is to rewrite the file: the watcher notices within its
   * interval.
   */
  public boolean reload() {
    if (file == null) {
      return false;
    }
    try {
      return load(false);
    } catch (IOException | PkiException | java.io.UncheckedIOException e) {
      log.atError()
          .setMessage("revocation list refused; the revocations already known stay in force")
          .addKeyValue("file", file)
          .addKeyValue("reason", e.getMessage())
          .log();
      return false;
    }
  }

  private void watch(Duration interval) {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        return;
      }
      reload();
    }
  }

  /** The serials the exchange log already records as revoked, so none is logged twice. */
  private void loadLogged() throws IOException {
    long size = exchangeLog.size();
    for (long from = 0; from < size; from += SCAN_BATCH) {
      for (LogEntry entry : exchangeLog.entries(from, Math.min(size, from + SCAN_BATCH))) {
        if (entry.hasDecision() && entry.getDecision().hasSiteRevoked()) {
          SiteRevoked logged = entry.getDecision().getSiteRevoked();
          try {
            Revocation revocation =
                new Revocation(
                    new BigInteger(logged.getCertificateSerial(), 16),
                    logged.getSite(),
                    logged.getReason(),
                    Instant.ofEpochMilli(logged.getRevokedAtUnixMillis()));
            revoked.putIfAbsent(revocation.serial(), revocation);
          } catch (IllegalArgumentException e) {
            throw new IOException("the exchange log holds a malformed SiteRevoked entry", e);
          }
        }
      }
    }
    snapshot = Map.copyOf(revoked);
  }

  private synchronized boolean load(boolean first) throws IOException, PkiException {
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return false;
    }
    byte[] digest = sha256(content);
    if (lastContent != null && MessageDigest.isEqual(digest, lastContent)) {
      return false;
    }
    RevocationList list = RevocationList.parse(new String(content, StandardCharsets.US_ASCII), ca);
    if (list.number() < listNumber) {
      log.atWarn()
          .setMessage("revocation list is older than the one loaded before; revocations stay")
          .addKeyValue("file", file)
          .addKeyValue("number", list.number())
          .addKeyValue("previousNumber", listNumber)
          .log();
    }
    List<Revocation> fresh =
        list.revocations().stream().filter(r -> !revoked.containsKey(r.serial())).toList();
    for (Revocation revocation : fresh) {
      // Logged first: the log says a certificate is revoked before anything is refused for it.
      long index =
          exchangeLog.recordDecision(
              "",
              0,
              CoordinatorDecision.newBuilder()
                  .setSiteRevoked(
                      SiteRevoked.newBuilder()
                          .setSite(revocation.siteId())
                          .setCertificateSerial(revocation.serialHex())
                          .setReason(revocation.reason())
                          .setRevokedAtUnixMillis(revocation.revokedAt().toEpochMilli()))
                  .build());
      revoked.put(revocation.serial(), revocation);
      log.atWarn()
          .setMessage("site certificate revoked")
          .addKeyValue("site", revocation.siteId())
          .addKeyValue("certificateSerial", revocation.serialHex())
          .addKeyValue("reason", revocation.reason())
          .addKeyValue("revokedAt", revocation.revokedAt())
          .addKeyValue("exchangeLogIndex", index)
          .log();
    }
    snapshot = Map.copyOf(revoked);
    lastContent = digest;
    listNumber = Math.max(listNumber, list.number());
    log.atInfo()
        .setMessage(first ? "revocation list loaded" : "revocation list reloaded")
        .addKeyValue("file", file)
        .addKeyValue("number", list.number())
        .addKeyValue("revoked", list.revocations().size())
        .addKeyValue("new", fresh.size())
        .log();
    return true;
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  @Override
  public void close() {
    if (thread != null) {
      thread.interrupt();
    }
  }
}
