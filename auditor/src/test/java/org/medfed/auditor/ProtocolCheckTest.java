package org.medfed.auditor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.medfed.proto.v1.CoordinatorDecision;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.RoundClosed;
import org.medfed.proto.v1.RoundOpened;
import org.medfed.proto.v1.SiteDropped;
import org.medfed.proto.v1.StudyClosed;
import org.medfed.proto.v1.StudyOpened;

/** Protocol rules, each on a small signed log of two rounds that differs in one respect. */
class ProtocolCheckTest {
  private static final String STUDY = "heart";
  private static final ByteString MODEL_1 = sha(1);
  private static final ByteString MODEL_2 = sha(2);

  private final TestLogs.Consortium consortium = new TestLogs.Consortium();
  private long clock = consortium.start.toEpochMilli();

  private static ByteString sha(int fill) {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) fill);
    return ByteString.copyFrom(bytes);
  }

  private LogEntry decision(int round, CoordinatorDecision.Builder decision) {
    return LogEntry.newBuilder()
        .setTimeUnixMillis(++clock)
        .setStudyId(STUDY)
        .setRound(round)
        .setDecision(decision)
        .build();
  }

  private LogEntry fromSite(int round, String rpc, String site, String outcome) {
    return TestLogs.message(++clock, STUDY, round, rpc, site, "coordinator", outcome);
  }

  private LogEntry toSite(int round, String rpc, String site) {
    return TestLogs.message(++clock, STUDY, round, rpc, "coordinator", site, "sent");
  }

  private LogEntry roundOpened(int round, long version, ByteString base, String... participants) {
    return decision(
        round,
        CoordinatorDecision.newBuilder()
            .setRoundOpened(
                RoundOpened.newBuilder()
                    .setBaseModelVersion(version)
                    .setBaseModelSha256(base)
                    .addAllParticipants(List.of(participants))
                    .setDeadlineUnixMillis(clock + 60_000)));
  }

  private LogEntry roundClosed(int round, long version, ByteString model, String... sites) {
    return decision(
        round,
        CoordinatorDecision.newBuilder()
            .setRoundClosed(
                RoundClosed.newBuilder()
                    .setStatus("completed")
                    .addAllAggregatedSites(List.of(sites))
                    .setNewModelVersion(version)
                    .setNewModelSha256(model)));
  }

  private LogEntry dropped(int round, String site, String outcome, String reason) {
    return decision(
        round,
        CoordinatorDecision.newBuilder()
            .setSiteDropped(
                SiteDropped.newBuilder().setSite(site).setOutcome(outcome).setReason(reason)));
  }

  /**
   * A study of two invited sites over two rounds; in round 2 site b sends nothing and is dropped.
   * Indices: 0 LogOpened, 1 StudyOpened, 2-3 Join, 4 RoundOpened 1, 5-6 PollTask, 7-8 PushUpdate, 9
   * RoundClosed 1, 10 RoundOpened 2, 11 PollTask a, 12 PushUpdate a, 13 SiteDropped b, 14
   * RoundClosed 2, 15 StudyClosed.
   */
  private List<LogEntry> study() {
    List<LogEntry> log = new ArrayList<>();
    log.add(consortium.logOpened());
    log.add(
        decision(
            0,
            CoordinatorDecision.newBuilder()
                .setStudyOpened(
                    StudyOpened.newBuilder()
                        .setStudyConfigSha256(sha(9))
                        .addInvitedSites("a")
                        .addInvitedSites("b"))));
    log.add(fromSite(0, "Join", "a", "accepted"));
    log.add(fromSite(0, "Join", "b", "accepted"));
    log.add(roundOpened(1, 0, sha(0), "a", "b"));
    log.add(toSite(1, "PollTask", "a"));
    log.add(toSite(1, "PollTask", "b"));
    log.add(fromSite(1, "PushUpdate", "a", "accepted"));
    log.add(fromSite(1, "PushUpdate", "b", "accepted"));
    log.add(roundClosed(1, 1, MODEL_1, "a", "b"));
    log.add(roundOpened(2, 1, MODEL_1, "a", "b"));
    log.add(toSite(2, "PollTask", "a"));
    log.add(fromSite(2, "PushUpdate", "a", "accepted"));
    log.add(dropped(2, "b", "no_answer", "no update before the 60000 ms deadline"));
    log.add(roundClosed(2, 2, MODEL_2, "a"));
    log.add(
        decision(
            2,
            CoordinatorDecision.newBuilder()
                .setStudyClosed(StudyClosed.newBuilder().setStatus("completed"))));
    return log;
  }

  private List<LogEntry> studyWith(int index, UnaryOperator<LogEntry> change) {
    List<LogEntry> log = study();
    log.set(index, change.apply(log.get(index)));
    return log;
  }

  private CheckResult check(List<LogEntry> log, String name) {
    return consortium.audit(log).check(name).orElseThrow();
  }

  private static void assertFailure(CheckResult result, String text, long entry) {
    assertEquals(CheckStatus.FAILED, result.status(), result.name());
    assertTrue(
        result.failures().stream()
            .anyMatch(
                f ->
                    f.message().contains(text)
                        && f.entryIndex() != null
                        && f.entryIndex() == entry),
        "expected \"" + text + "\" at entry " + entry + " in " + result.failures());
  }

  @Test
  void wellFormedStudyPassesEveryCheckItCanRun() {
    AuditReport report = consortium.audit(study());

    // These hand-built logs carry no site signatures: that check, and only that one, must fail.
    for (CheckResult check : report.checks()) {
      if (check.name().equals("sender-signatures")) {
        assertEquals(CheckStatus.FAILED, check.status(), report.toText());
        assertTrue(check.failures().getFirst().message().endsWith("is accepted but unsigned"));
      } else {
        assertTrue(check.status() != CheckStatus.FAILED, report.toText());
      }
    }
    assertEquals(CheckStatus.PASSED, report.check("protocol").orElseThrow().status());
    assertEquals(CheckStatus.PASSED, report.check("round-openings").orElseThrow().status());
  }

  @Test
  void roundWithARoundClosedButNoRoundOpenedFails() {
    List<LogEntry> log = study();
    log.remove(10); // RoundOpened 2: round 2 now starts with PollTask a (10), closes at 13

    AuditReport report = consortium.audit(log);

    assertFailure(
        report.check("round-openings").orElseThrow(),
        "round 2 of study \"heart\" has no RoundOpened decision but a RoundClosed at entry 13",
        10);
    assertEquals(1, report.check("round-openings").orElseThrow().failures().size());
    assertEquals(CheckStatus.PASSED, report.check("protocol").orElseThrow().status());
    assertFalse(report.passed());
  }

  @Test
  void logWithoutAnyRoundOpenedFailsRatherThanSkipsRoundOpenings() {
    List<LogEntry> log = study();
    log.remove(10);
    log.remove(4); // rounds 1 (entries 4..8) and 2 (entries 9..12) lack their RoundOpened

    AuditReport report = consortium.audit(log);

    CheckResult openings = report.check("round-openings").orElseThrow();
    assertFailure(openings, "round 1 of study \"heart\" has no RoundOpened decision", 4);
    assertFailure(openings, "round 2 of study \"heart\" has no RoundOpened decision", 9);
    assertEquals(2, openings.failures().size(), openings.failures().toString());
    assertEquals(CheckStatus.PASSED, report.check("protocol").orElseThrow().status());
    assertFalse(report.passed());
  }

  @Test
  void refusalWithoutAReasonFails() {
    List<LogEntry> log = study();
    log.add(12, fromSite(2, "PushUpdate", "b", "FAILED_PRECONDITION: "));

    assertFailure(check(log, "protocol"), "does not give a gRPC status and a reason", 12);
  }

  @Test
  void refusalWithAStatusAndReasonPasses() {
    List<LogEntry> log = study();
    log.add(
        12, fromSite(2, "PushUpdate", "b", "FAILED_PRECONDITION: vector has 3 elements, not 7"));

    assertEquals(CheckStatus.PASSED, check(log, "protocol").status());
  }

  @Test
  void completedRoundThatAggregatesASiteWithoutAnAcceptedUpdateFails() {
    List<LogEntry> log = study();
    log.set(14, roundClosed(2, 2, MODEL_2, "a", "b"));

    assertFailure(check(log, "protocol"), "aggregated without an update: [b]", 14);
  }

  @Test
  void completedRoundThatLeavesOutAnAcceptedUpdateFails() {
    List<LogEntry> log = study();
    log.set(9, roundClosed(1, 1, MODEL_1, "a"));

    assertFailure(check(log, "protocol"), "accepted but not aggregated: [b]", 9);
  }

  @Test
  void modelVersionThatSkipsFails() {
    List<LogEntry> log = study();
    log.set(14, roundClosed(2, 3, MODEL_2, "a"));

    assertFailure(check(log, "protocol"), "produced model version 3, expected 2", 14);
  }

  @Test
  void decisionAfterStudyClosedFails() {
    List<LogEntry> log = study();
    log.add(dropped(2, "b", "no_answer", "late"));

    assertFailure(check(log, "protocol"), "decision after StudyClosed", 16);
  }

  @Test
  void roundWithoutRoundClosedInAClosedStudyFails() {
    List<LogEntry> log = study();
    log.remove(14);

    assertFailure(check(log, "protocol"), "round 2 of study \"heart\" has no RoundClosed", 10);
  }

  @Test
  void entryBeforeStudyOpenedFails() {
    List<LogEntry> log = study();
    log.add(1, fromSite(0, "Join", "a", "accepted"));

    assertFailure(check(log, "protocol"), "comes before its StudyOpened", 1);
  }

  @Test
  void droppedSiteWithoutAReasonFails() {
    List<LogEntry> log = study();
    log.set(13, dropped(2, "b", "no_answer", ""));

    assertFailure(check(log, "protocol"), "must name the site, an outcome and a reason", 13);
  }

  @Test
  void participantNeitherUpdatedNorDroppedFails() {
    List<LogEntry> log = study();
    log.remove(13);

    assertFailure(
        check(log, "round-openings"),
        "participant \"b\" of round 2 neither had an update accepted nor was dropped",
        10);
  }

  @Test
  void baseModelThatIsNotThePreviousRoundsNewModelFails() {
    List<LogEntry> log = studyWith(10, e -> roundOpened(2, 1, sha(7), "a", "b"));

    assertFailure(check(log, "round-openings"), "base model SHA-256 is not the new model", 10);
  }

  @Test
  void roundOpenedAfterTheRoundsFirstMessageFails() {
    List<LogEntry> log = study();
    LogEntry opened = log.remove(10);
    log.add(11, opened);

    assertFailure(check(log, "round-openings"), "RoundOpened of round 2 comes after entry 10", 11);
  }

  @Test
  void updateFromASiteTheStudyDidNotInviteFails() {
    List<LogEntry> log = study();
    log.add(8, fromSite(1, "PushUpdate", "mallory", "accepted"));

    assertFailure(check(log, "protocol"), "\"mallory\", which study \"heart\" did not invite", 8);
  }

  @Test
  void messageRecordedInTheWrongDirectionFails() {
    List<LogEntry> log = study();
    log.set(5, fromSite(1, "PollTask", "a", "accepted"));

    assertFailure(check(log, "protocol"), "PollTask must go from the coordinator", 5);
  }

  @Test
  void siteThatTookPartWithoutBeingAParticipantIsNamed() {
    List<LogEntry> log = study();
    log.set(10, roundOpened(2, 1, MODEL_1, "a")); // b is no participant of round 2, yet dropped

    assertFailure(
        check(log, "round-openings"),
        "sites [b] took part in round 2 but are not its participants",
        10);
  }

  @Test
  void participantTheStudyDidNotInviteFails() {
    List<LogEntry> log = studyWith(10, e -> roundOpened(2, 1, MODEL_1, "a", "b", "mallory"));

    assertFailure(
        check(log, "round-openings"), "participant \"mallory\" was not invited to study", 10);
    assertFailure(
        check(log, "round-openings"),
        "participant \"mallory\" of round 2 neither had an update accepted nor was dropped",
        10);
  }

  @Test
  void participantNamedTwiceFails() {
    List<LogEntry> log = studyWith(4, e -> roundOpened(1, 0, sha(0), "a", "b", "a"));

    assertFailure(check(log, "round-openings"), "must name distinct participants", 4);
  }

  @Test
  void secondAcceptedUpdateAndSecondDropOfASiteFail() {
    List<LogEntry> log = study();
    log.add(14, dropped(2, "b", "no_answer", "again"));
    log.add(13, fromSite(2, "PushUpdate", "a", "accepted"));

    CheckResult protocol = check(log, "protocol");
    assertFailure(protocol, "a second accepted update from a in round 2", 13);
    assertFailure(protocol, "site \"b\" dropped twice in round 2", 15);
  }

  @Test
  void roundNumberFarAheadIsOneFindingForTheGapNotOneForEachMissingRound() {
    List<LogEntry> log = study();
    log.add(15, toSite(1_000_000, "PollTask", "a"));

    CheckResult protocol = check(log, "protocol");
    assertTrue(
        protocol.failures().stream()
            .anyMatch(
                f ->
                    f.message()
                        .equals(
                            "study \"heart\" has no entry of rounds 3..999999 but has round"
                                + " 1000000")),
        protocol.failures().toString());
    assertTrue(protocol.failures().size() < 10, protocol.failures().size() + " findings");
  }
}
