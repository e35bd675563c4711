package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.proto.v1.AnswerInvitationRequest;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.PrivacyCap;

/**
 * The checks that need more than the log's own structure: the sites' signatures, the retained
 * masked contributions, the sites' declared privacy caps and the receipts they hold. Each is shown
 * to pass on the real demo run and to fail, at the right place, when its evidence is tampered with.
 */
class SecureAggregationEvidenceTest {
  private final Path fixture = TestLogs.fixture();
  private final byte[] heads = TestLogs.read(fixture.resolve("tree-heads.log"));
  private final List<LogEntry> entries =
      TestLogs.payloads(TestLogs.read(fixture.resolve("exchange.log"))).stream()
          .map(TestLogs::parseEntry)
          .toList();

  @Test
  void demoRunPassesWithItsRetainedContributionsAndASitesReceipts() throws IOException {
    AuditReport report =
        LogAuditor.verify(
            fixture, TestLogs.fixtureCa(), List.of(fixture.resolve("receipts-cleveland")));

    assertTrue(report.passed(), report.toText());
    for (String check :
        List.of("sender-signatures", "aggregate-recomputation", "receipts", "privacy-budget")) {
      assertEquals(CheckStatus.PASSED, report.check(check).orElseThrow().status(), report.toText());
    }
    assertTrue(
        report
            .check("aggregate-recomputation")
            .orElseThrow()
            .summary()
            .startsWith("3 secure rounds recomputed"));
  }

  @Test
  void aForgedSenderSignatureFailsAtItsEntry() {
    // A chain tip: no later message of its site vouches for it, so its own signature must verify.
    int index = lastSignedBySite();
    List<LogEntry> tampered = new ArrayList<>(entries);
    LogEntry original = entries.get(index);
    byte[] signature = original.getMessage().getSenderSignature().toByteArray();
    signature[signature.length / 2] ^= 1;
    tampered.set(
        index,
        original.toBuilder()
            .setMessage(
                original.getMessage().toBuilder()
                    .setSenderSignature(ByteString.copyFrom(signature)))
            .build());

    CheckResult check = audit(tampered, RetainedPayloads.none()).check("sender-signatures").get();

    assertEquals(CheckStatus.FAILED, check.status());
    assertEquals(1, check.failures().size(), check.failures().toString());
    assertEquals((long) index, check.failures().getFirst().entryIndex());
  }

  @Test
  void aRoundClaimingAnotherAggregateFailsRecomputation() {
    int index = firstRoundClosed();
    List<LogEntry> tampered = new ArrayList<>(entries);
    LogEntry original = entries.get(index);
    byte[] digest = original.getDecision().getRoundClosed().getAggregateSha256().toByteArray();
    digest[0] ^= 1;
    tampered.set(
        index,
        original.toBuilder()
            .setDecision(
                original.getDecision().toBuilder()
                    .setRoundClosed(
                        original.getDecision().getRoundClosed().toBuilder()
                            .setAggregateSha256(ByteString.copyFrom(digest))))
            .build());

    CheckResult check =
        audit(tampered, new RetainedPayloads(fixture.resolve("contributions")))
            .check("aggregate-recomputation")
            .get();

    assertEquals(CheckStatus.FAILED, check.status());
    assertTrue(
        check.failures().getFirst().message().endsWith("does not follow from the masked inputs"),
        check.failures().toString());
  }

  @Test
  void aMissingOrAlteredMaskedInputFailsRecomputation(@TempDir Path temp) throws IOException {
    Path contributions = copyContributions(temp);
    String masked = hex(entries.get(firstAccepted("PushMaskedInput")));
    Files.delete(contributions.resolve(masked + ".bin"));

    CheckResult missing =
        audit(entries, new RetainedPayloads(contributions)).check("aggregate-recomputation").get();
    assertEquals(CheckStatus.FAILED, missing.status());
    assertTrue(missing.failures().getFirst().message().endsWith("was not retained"));

    Files.write(contributions.resolve(masked + ".bin"), new byte[15 * 4]);
    CheckResult altered =
        audit(entries, new RetainedPayloads(contributions)).check("aggregate-recomputation").get();
    assertEquals(CheckStatus.FAILED, altered.status());
    assertTrue(
        altered.failures().getFirst().message().contains("does not have the digest"),
        altered.failures().toString());
  }

  @Test
  void epsilonAboveTheCapASiteDeclaredFails(@TempDir Path temp) throws Exception {
    Path contributions = copyContributions(temp);
    int answerIndex = firstAccepted("AnswerInvitation");
    LogEntry answer = entries.get(answerIndex);
    String site = answer.getMessage().getSender();
    byte[] declared =
        AnswerInvitationRequest.newBuilder()
            .setStudyId(answer.getStudyId())
            .setAccept(true)
            .setPrivacyCap(PrivacyCap.newBuilder().setEpsilon(1.0).setDelta(1e-5))
            .build()
            .toByteArray();
    byte[] sha = MessageDigest.getInstance("SHA-256").digest(declared);
    Files.write(contributions.resolve(HexFormat.of().formatHex(sha) + ".bin"), declared);
    List<LogEntry> tampered = new ArrayList<>(entries);
    tampered.set(
        answerIndex,
        answer.toBuilder()
            .setMessage(answer.getMessage().toBuilder().setPayloadSha256(ByteString.copyFrom(sha)))
            .build());
    int spendIndex = firstAccepted("PushMaskedInput", site);
    LogEntry spend = entries.get(spendIndex);
    tampered.set(
        spendIndex,
        spend.toBuilder().setMessage(spend.getMessage().toBuilder().setEpsilonSpent(2.0)).build());

    CheckResult check =
        audit(tampered, new RetainedPayloads(contributions)).check("privacy-budget").get();

    assertEquals(CheckStatus.FAILED, check.status(), check.toString());
    assertEquals((long) spendIndex, check.failures().getFirst().entryIndex());
    assertTrue(
        check.failures().getFirst().message().endsWith("above its declared cap of 1.0"),
        check.failures().toString());
  }

  @Test
  void aTreeHeadASiteSawThatTheLogDoesNotHoldFails(@TempDir Path temp) throws IOException {
    Path receipts = temp.resolve("receipts");
    Files.createDirectories(receipts);
    Path source = fixture.resolve("receipts-cleveland");
    Files.copy(source.resolve("receipts.txt"), receipts.resolve("receipts.txt"));
    List<String> lines = new ArrayList<>(Files.readAllLines(source.resolve("heads.txt")));
    String[] fields = lines.getFirst().split(" ");
    byte[] checkpoint = Base64.getDecoder().decode(fields[0]);
    checkpoint[checkpoint.length - 2] ^= 1;
    fields[0] = Base64.getEncoder().encodeToString(checkpoint);
    lines.set(0, String.join(" ", fields));
    Files.write(receipts.resolve("heads.txt"), lines);

    CheckResult check =
        LogAuditor.verify(fixture, TestLogs.fixtureCa(), List.of(receipts))
            .check("receipts")
            .orElseThrow();

    assertEquals(CheckStatus.FAILED, check.status());
    assertTrue(check.failures().getFirst().message().contains("heads.txt line 1"));
  }

  private AuditReport audit(List<LogEntry> log, RetainedPayloads retained) {
    return LogAuditor.verify(
        "tampered",
        TestLogs.frame(TestLogs.serialise(log)),
        heads,
        TestLogs.fixtureCa(),
        retained,
        List.of());
  }

  private int firstAccepted(String rpc) {
    return firstAccepted(rpc, null);
  }

  private int firstAccepted(String rpc, String sender) {
    for (int i = 0; i < entries.size(); i++) {
      LogEntry e = entries.get(i);
      if (e.hasMessage()
          && e.getMessage().getRpc().equals(rpc)
          && e.getMessage().getOutcome().equals("accepted")
          && (sender == null || e.getMessage().getSender().equals(sender))) {
        return i;
      }
    }
    throw new AssertionError("the fixture has no accepted " + rpc);
  }

  private int lastSignedBySite() {
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (entries.get(i).hasMessage()
          && !entries.get(i).getMessage().getSenderSignature().isEmpty()) {
        return i;
      }
    }
    throw new AssertionError("the fixture has no signed site message");
  }

  private int firstRoundClosed() {
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).hasDecision() && entries.get(i).getDecision().hasRoundClosed()) {
        return i;
      }
    }
    throw new AssertionError("the fixture has no RoundClosed");
  }

  private static String hex(LogEntry entry) {
    return HexFormat.of().formatHex(entry.getMessage().getPayloadSha256().toByteArray());
  }

  private Path copyContributions(Path temp) throws IOException {
    Path target = Files.createDirectories(temp.resolve("contributions"));
    try (Stream<Path> files = Files.list(fixture.resolve("contributions"))) {
      for (Path file : files.toList()) {
        Files.copy(file, target.resolve(file.getFileName()));
      }
    }
    return target;
  }
}
