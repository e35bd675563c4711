package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.sign.MessageStatement;
import org.medfed.crypto.sign.Signatures;
import org.medfed.proto.v1.CoordinatorDecision;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.SiteCertified;
import org.medfed.proto.v1.SiteRevoked;

/**
 * Each site's statements form a hash chain, so the auditor verifies only the signatures nothing
 * later vouches for. On the real demo log: few direct verifications, and every kind of tampering
 * with a chain is caught at the entry it concerns. On hand-built logs signed by a test CA: forks,
 * certificate renewal and revocation.
 */
class SenderChainTest {
  private static final Pattern SUMMARY =
      Pattern.compile(
          "(\\d+) site messages authenticated: (\\d+) by their own signature, (\\d+) by a later"
              + " signature of their site's chain");

  private final byte[] heads = TestLogs.read(TestLogs.fixture().resolve("tree-heads.log"));
  private final List<LogEntry> demo =
      TestLogs.payloads(TestLogs.read(TestLogs.fixture().resolve("exchange.log"))).stream()
          .map(TestLogs::parseEntry)
          .toList();

  // ---- the real demo log ----

  @Test
  void theDemoLogIsAuthenticatedWithAFewSignaturesPerSite() {
    CheckResult check = auditDemo(demo);

    assertEquals(CheckStatus.PASSED, check.status(), check.toString());
    long[] counts = counts(check);
    long signed = demo.stream().filter(e -> signedBySite(e)).count();
    Set<String> sites = new HashSet<>();
    demo.stream().filter(this::signedBySite).forEach(e -> sites.add(e.getMessage().getSender()));
    assertEquals(signed, counts[0], check.summary());
    // A chain tip per site, plus one per fork (calls in flight together): far below one per
    // message.
    assertTrue(counts[1] >= sites.size(), check.summary());
    assertTrue(counts[1] <= 2L * sites.size(), check.summary());
    assertTrue(counts[2] >= signed - 2L * sites.size(), check.summary());
  }

  @Test
  void aTamperedPayloadDigestFailsAtThatEntry() {
    int index = middleOfAChain();
    List<LogEntry> log = new ArrayList<>(demo);
    log.set(
        index, withMessage(log.get(index), m -> m.setPayloadSha256(flip(m.getPayloadSha256()))));

    CheckResult check = auditDemo(log);

    assertEquals(CheckStatus.FAILED, check.status());
    Finding first = check.failures().getFirst();
    assertEquals((long) index, first.entryIndex(), check.failures().toString());
    assertTrue(first.message().contains("the signature does not match"), first.message());
  }

  @Test
  void aTamperedPreviousFailsAtThatEntry() {
    int index = middleOfAChain();
    List<LogEntry> log = new ArrayList<>(demo);
    log.set(
        index,
        withMessage(
            log.get(index),
            m -> m.setPreviousStatementSha256(flip(m.getPreviousStatementSha256()))));

    CheckResult check = auditDemo(log);

    assertEquals(CheckStatus.FAILED, check.status());
    Finding first = check.failures().getFirst();
    assertEquals((long) index, first.entryIndex(), check.failures().toString());
    assertTrue(first.message().contains("the signature does not match"), first.message());
  }

  @Test
  void aRemovedMiddleEntryFailsAtTheEntryThatNamesIt() {
    int index = middleOfAChain();
    int successor = successorOf(index);
    List<LogEntry> log = new ArrayList<>(demo);
    log.remove(index);

    CheckResult check = auditDemo(log);

    assertEquals(CheckStatus.FAILED, check.status());
    assertEquals(1, check.failures().size(), check.failures().toString());
    Finding only = check.failures().getFirst();
    // The successor moved up by one when its predecessor was cut out.
    assertEquals((long) successor - 1, only.entryIndex());
    assertTrue(only.message().contains("which no earlier message of the site"), only.message());
  }

  @Test
  void anEntrySplicedFromAnotherSitesChainFailsAtTheSplice() {
    int index = middleOfAChain();
    String site = demo.get(index).getMessage().getSender();
    int donor = -1;
    for (int i = 0; i < demo.size(); i++) {
      if (signedBySite(demo.get(i)) && !demo.get(i).getMessage().getSender().equals(site)) {
        donor = i;
      }
    }
    List<LogEntry> log = new ArrayList<>(demo);
    // Another site's signed message, now claimed to be this site's, in this site's chain.
    LogEntry spliced = withMessage(demo.get(donor), m -> m.setSender(site));
    log.add(index + 1, spliced);

    CheckResult check = auditDemo(log);

    assertEquals(CheckStatus.FAILED, check.status());
    assertEquals(1, check.failures().size(), check.failures().toString());
    assertEquals((long) index + 1, check.failures().getFirst().entryIndex());
    assertTrue(check.failures().getFirst().message().contains("the signature does not match"));
  }

  @Test
  void aForgedTipSignatureFailsAtTheTipOnly() {
    int tip = -1;
    for (int i = 0; i < demo.size(); i++) {
      if (signedBySite(demo.get(i))) {
        tip = i; // the log's last signed site message: nothing after it vouches for it
      }
    }
    List<LogEntry> log = new ArrayList<>(demo);
    log.set(
        tip, withMessage(log.get(tip), m -> m.setSenderSignature(flip(m.getSenderSignature()))));

    CheckResult check = auditDemo(log);

    assertEquals(CheckStatus.FAILED, check.status());
    assertEquals(1, check.failures().size(), check.failures().toString());
    assertEquals((long) tip, check.failures().getFirst().entryIndex());
  }

  @Test
  void aForgedSignatureThatALaterOneVouchesForIsCaughtByTheTreeHeadsNotBySenderSignatures() {
    // The later signature commits to this entry's statement, which is intact; the signature bytes
    // themselves are not re-checked. They are still part of the signed tree.
    int index = middleOfAChain();
    List<LogEntry> log = new ArrayList<>(demo);
    log.set(
        index,
        withMessage(log.get(index), m -> m.setSenderSignature(flip(m.getSenderSignature()))));

    AuditReport report = audit(log);

    assertEquals(CheckStatus.PASSED, report.check("sender-signatures").orElseThrow().status());
    assertEquals(CheckStatus.FAILED, report.check("tree-heads").orElseThrow().status());
  }

  // ---- hand-built logs ----

  private final TestLogs.Consortium consortium = new TestLogs.Consortium();

  /** A site that signs chained statements as MessageSigning does, with a replaceable key. */
  private final class Site {
    final String name;
    IssuedCredential credential;
    byte[] head = MessageStatement.noPrevious();
    int sent;

    Site(String name) {
      this.name = name;
      this.credential = consortium.ca.issueSite(name, Duration.ofDays(1));
    }

    LogEntry certified() {
      try {
        return decision(
            CoordinatorDecision.newBuilder()
                .setSiteCertified(
                    SiteCertified.newBuilder()
                        .setSite(name)
                        .setCertificate(
                            ByteString.copyFrom(credential.certificate().getEncoded()))));
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }

    /** A message naming {@code previous}; the chain advances to it. */
    LogEntry send(byte[] previous) {
      byte[] payload = new byte[32];
      payload[0] = (byte) ++sent;
      payload[1] = (byte) name.hashCode();
      byte[] statement = MessageStatement.of("ReportEvaluation", payload, previous);
      byte[] signature;
      try {
        signature = Signatures.signer(credential.privateKey()).sign(statement);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
      head = MessageStatement.link(statement);
      return message(payload, previous, signature);
    }

    LogEntry send() {
      return send(head);
    }

    LogEntry message(byte[] payload, byte[] previous, byte[] signature) {
      return LogEntry.newBuilder()
          .setTimeUnixMillis(consortium.start.toEpochMilli() + 1)
          .setMessage(
              ExchangedMessage.newBuilder()
                  .setRpc("ReportEvaluation")
                  .setSender(name)
                  .setReceiver("coordinator")
                  .setPayloadSha256(ByteString.copyFrom(payload))
                  .setPayloadSize(32)
                  .setOutcome("accepted")
                  .setSenderSignature(ByteString.copyFrom(signature))
                  .setPreviousStatementSha256(ByteString.copyFrom(previous)))
          .build();
    }
  }

  /** A credential for {@code site} from a CA that is not the consortium's. */
  private static IssuedCredential fromAnotherCa(String site) {
    return CertificateAuthority.create("rogue", Duration.ofDays(1))
        .issueSite(site, Duration.ofDays(1));
  }

  private LogEntry decision(CoordinatorDecision.Builder decision) {
    return LogEntry.newBuilder()
        .setTimeUnixMillis(consortium.start.toEpochMilli() + 1)
        .setDecision(decision)
        .build();
  }

  private CheckResult auditBuilt(List<LogEntry> log) {
    return consortium.audit(log).check("sender-signatures").orElseThrow();
  }

  @Test
  void bothBranchesOfAForkAreAuthenticatedAndOnlyTheirTipsAreVerified() {
    Site site = new Site("cleveland");
    List<LogEntry> log = new ArrayList<>(List.of(consortium.logOpened(), site.certified()));
    log.add(site.send());
    byte[] forkPoint = site.head;
    log.add(site.send(forkPoint)); // branch A, never continued
    log.add(site.send(forkPoint)); // branch B
    log.add(site.send()); // continues B

    CheckResult check = auditBuilt(log);

    assertEquals(CheckStatus.PASSED, check.status(), check.toString());
    assertEquals(List.of(4L, 2L, 2L), Arrays.stream(counts(check)).boxed().toList());
  }

  @Test
  void aSiteThatLostItsStateStartsANewChainWhoseFirstTipIsVerified() {
    Site site = new Site("cleveland");
    List<LogEntry> log = new ArrayList<>(List.of(consortium.logOpened(), site.certified()));
    log.add(site.send());
    log.add(site.send());
    log.add(site.send(MessageStatement.noPrevious())); // restarted without its state dir
    log.add(site.send());

    CheckResult check = auditBuilt(log);

    assertEquals(CheckStatus.PASSED, check.status(), check.toString());
    assertEquals(List.of(4L, 2L, 2L), Arrays.stream(counts(check)).boxed().toList());
  }

  @Test
  void aRenewedCertificatesSignatureVouchesForMessagesSignedWithTheOldOne() {
    Site site = new Site("cleveland");
    List<LogEntry> log = new ArrayList<>(List.of(consortium.logOpened(), site.certified()));
    log.add(site.send());
    log.add(site.send());
    site.credential = consortium.ca.issueSite("cleveland", Duration.ofDays(1));
    log.add(site.certified());
    log.add(site.send());

    CheckResult check = auditBuilt(log);

    assertEquals(CheckStatus.PASSED, check.status(), check.toString());
    assertEquals(List.of(3L, 1L, 2L), Arrays.stream(counts(check)).boxed().toList());
  }

  @Test
  void aCertificateFromAnotherCaIsRefusedAndTheSitesLaterMessagesFail() {
    Site site = new Site("cleveland");
    site.credential = fromAnotherCa(site.name);
    List<LogEntry> log = new ArrayList<>(List.of(consortium.logOpened(), site.certified()));
    log.add(site.send());
    log.add(site.send());

    CheckResult check = auditBuilt(log);

    assertEquals(CheckStatus.FAILED, check.status());
    assertEquals(
        List.of(1L, 2L, 3L),
        check.failures().stream().map(Finding::entryIndex).toList(),
        check.failures().toString());
    assertTrue(
        check
            .failures()
            .get(0)
            .message()
            .startsWith("the certificate logged for site \"cleveland\" is refused"),
        check.failures().get(0).message());
    assertTrue(
        check
            .failures()
            .get(1)
            .message()
            .endsWith("no valid certificate of that site was logged before it"),
        check.failures().get(1).message());
  }

  @Test
  void aSignedMessageBeforeItsSitesFirstCertificateFailsAndTheLaterOnesPass() {
    Site site = new Site("cleveland");
    List<LogEntry> log = new ArrayList<>(List.of(consortium.logOpened(), site.send()));
    log.add(site.certified());
    log.add(site.send());

    CheckResult check = auditBuilt(log);

    assertEquals(
        List.of(1L),
        check.failures().stream().map(Finding::entryIndex).toList(),
        check.failures().toString());
    assertTrue(
        check
            .failures()
            .getFirst()
            .message()
            .endsWith("no valid certificate of that site was logged before it"));
  }

  @Test
  void aRefusedRenewalLeavesNoKeyEvenThoughTheEarlierCertificateWasValid() {
    Site site = new Site("cleveland");
    List<LogEntry> log = new ArrayList<>(List.of(consortium.logOpened(), site.certified()));
    log.add(site.send());
    site.credential = fromAnotherCa(site.name);
    log.add(site.certified());
    log.add(site.send());

    CheckResult check = auditBuilt(log);

    // Entry 2 was signed with the valid certificate, and the message that names it is not
    // authenticated, so entry 2's own signature is verified: it passes.
    assertEquals(
        List.of(3L, 4L),
        check.failures().stream().map(Finding::entryIndex).toList(),
        check.failures().toString());
  }

  @Test
  void anotherSitesSignatureNeverVouches() {
    Site cleveland = new Site("cleveland");
    Site hungary = new Site("hungary");
    List<LogEntry> log =
        new ArrayList<>(
            List.of(consortium.logOpened(), cleveland.certified(), hungary.certified()));
    LogEntry forged = cleveland.send();
    forged = withMessage(forged, m -> m.setSenderSignature(flip(m.getSenderSignature())));
    log.add(forged);
    // Hungary names Cleveland's statement: it vouches only within its own chain.
    log.add(hungary.send(cleveland.head));

    CheckResult check = auditBuilt(log);

    assertEquals(CheckStatus.FAILED, check.status());
    List<Long> at = check.failures().stream().map(Finding::entryIndex).toList();
    assertEquals(List.of(3L, 4L), at, check.failures().toString());
  }

  @Test
  void aSignatureByACertificateRevokedBeforeItVouchesForNothingEarlier() {
    Site site = new Site("cleveland");
    List<LogEntry> log = new ArrayList<>(List.of(consortium.logOpened(), site.certified()));
    LogEntry forged = site.send();
    forged = withMessage(forged, m -> m.setSenderSignature(flip(m.getSenderSignature())));
    log.add(forged);
    BigInteger serial = site.credential.certificate().getSerialNumber();
    log.add(
        decision(
            CoordinatorDecision.newBuilder()
                .setSiteRevoked(
                    SiteRevoked.newBuilder()
                        .setSite("cleveland")
                        .setCertificateSerial(serial.toString(16))
                        .setReason("key compromised")
                        .setRevokedAtUnixMillis(consortium.start.toEpochMilli() + 5_000))));
    // The compromised key names the forged statement after its revocation.
    log.add(site.send());

    CheckResult revoked = auditBuilt(log);
    assertEquals(CheckStatus.FAILED, revoked.status());
    assertEquals(2L, revoked.failures().getFirst().entryIndex(), revoked.failures().toString());

    // Without the revocation, the same later signature vouches for the earlier statement.
    List<LogEntry> unrevoked = new ArrayList<>(log);
    unrevoked.remove(3);
    assertEquals(CheckStatus.PASSED, auditBuilt(unrevoked).status());
  }

  // ---- helpers ----

  private CheckResult auditDemo(List<LogEntry> log) {
    return audit(log).check("sender-signatures").orElseThrow();
  }

  private AuditReport audit(List<LogEntry> log) {
    return LogAuditor.verify(
        "tampered",
        TestLogs.frame(TestLogs.serialise(log)),
        heads,
        TestLogs.fixtureCa(),
        RetainedPayloads.none(),
        List.of());
  }

  private boolean signedBySite(LogEntry entry) {
    return entry.hasMessage() && !entry.getMessage().getSenderSignature().isEmpty();
  }

  /** A signed message of the demo log that an earlier one precedes and a later one names. */
  private int middleOfAChain() {
    for (int i = 0; i < demo.size(); i++) {
      LogEntry entry = demo.get(i);
      if (signedBySite(entry)
          && !entry.getMessage().getPreviousStatementSha256().equals(zero())
          && successorOf(i) > 0) {
        return i;
      }
    }
    throw new AssertionError("the demo log has no chain of three");
  }

  /** The index of the first later message of the same site that names entry {@code index}. */
  private int successorOf(int index) {
    ExchangedMessage message = demo.get(index).getMessage();
    ByteString link =
        ByteString.copyFrom(
            MessageStatement.link(
                MessageStatement.of(
                    message.getRpc(),
                    message.getPayloadSha256().toByteArray(),
                    message.getPreviousStatementSha256().toByteArray())));
    for (int i = index + 1; i < demo.size(); i++) {
      LogEntry later = demo.get(i);
      if (signedBySite(later)
          && later.getMessage().getSender().equals(message.getSender())
          && later.getMessage().getPreviousStatementSha256().equals(link)) {
        return i;
      }
    }
    return -1;
  }

  private static ByteString zero() {
    return ByteString.copyFrom(MessageStatement.noPrevious());
  }

  private static ByteString flip(ByteString bytes) {
    byte[] flipped = bytes.toByteArray();
    flipped[flipped.length / 2] ^= 1;
    return ByteString.copyFrom(flipped);
  }

  private static LogEntry withMessage(
      LogEntry entry, java.util.function.UnaryOperator<ExchangedMessage.Builder> change) {
    return entry.toBuilder().setMessage(change.apply(entry.getMessage().toBuilder())).build();
  }

  /** Authenticated, of which directly and by chain, from the check's summary. */
  private static long[] counts(CheckResult check) {
    Matcher m = SUMMARY.matcher(check.summary());
    assertTrue(m.find(), check.summary());
    return new long[] {
      Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))
    };
  }
}
