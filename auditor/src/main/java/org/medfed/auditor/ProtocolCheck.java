package org.medfed.auditor;

import com.google.protobuf.ByteString;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.medfed.auditor.LogAuditor.AuditedEntry;
import org.medfed.proto.v1.CoordinatorDecision;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.RoundClosed;
import org.medfed.proto.v1.RoundOpened;
import org.medfed.proto.v1.SiteDropped;
import org.medfed.proto.v1.StudyClosed;
import org.medfed.proto.v1.StudyOpened;

/**
 * The protocol checks, from the decoded entries alone.
 *
 * <p>{@code protocol}: every message names the coordinator on the right side for its RPC, carries a
 * 32-byte digest, and is either accepted, sent, or refused with a status and reason; everything a
 * study accepted, sent or decided comes after its StudyOpened, and StudyClosed is its last
 * decision; rounds are numbered 1, 2, ... and run one after another; every round has a RoundClosed
 * (only the last round of a study still running may lack one); a completed round aggregated exactly
 * the sites whose update it accepted before closing, and raised the model version by one; a failed
 * round says why; every dropped site has an outcome and a reason and was not aggregated; only
 * invited sites take part.
 *
 * <p>{@code round-openings}: every round starts with a RoundOpened before any other entry of it and
 * after the previous round closed; each of its participants either has an accepted update or a
 * SiteDropped decision; nobody else takes part; the base model is the previous round's new model
 * (version and SHA-256). The coordinator logs a RoundOpened before each round's tasks, so a round
 * without one is a failure, even in a log that holds no RoundOpened at all.
 */
final class ProtocolCheck {
  static final String NAME = "protocol";
  static final String OPENINGS = "round-openings";
  private static final Set<String> FROM_SITE =
      Set.of(
          "Join",
          "AnswerInvitation",
          "DeclineRound",
          "ReportEvaluation",
          "PushUpdate",
          "AdvertiseKeys",
          "ShareKeys",
          "PushMaskedInput",
          "RevealShares");

  /** A site's contribution to a round: a plaintext update, or its masked input under SecAgg. */
  private static final Set<String> CONTRIBUTIONS = Set.of("PushUpdate", "PushMaskedInput");

  private static final Set<String> TO_SITE = Set.of("PollTask", "PullModel");
  private static final Pattern REFUSAL = Pattern.compile("([A-Z][A-Z_]*): (.*)", Pattern.DOTALL);
  private static final int SHA256_BYTES = 32;

  private final String coordinator;
  private final Instant openedAt;
  private final List<Finding> failures = new ArrayList<>();
  private final List<Finding> warnings = new ArrayList<>();
  private final List<Finding> openingFailures = new ArrayList<>();
  // The studies in the order the log first mentions them.
  private final Map<String, Study> studies = new LinkedHashMap<>();
  // Sites by number, in the order the log first names them: the rounds keep which sites took part
  // until the end, as bits, where sets of names would pin a million strings in a large log.
  private final Map<String, Integer> siteIds = new HashMap<>();
  private final List<String> siteNames = new ArrayList<>();
  private int roundCount;
  private int completedRounds;
  private int failedRounds;
  private int messages;
  private int refused;
  private boolean finished;

  ProtocolCheck(IdentityCheck.Claim keeper) {
    this.coordinator = keeper.coordinatorName();
    this.openedAt = keeper.openedAt();
  }

  /** Takes the log's next entry (entries come in log order). */
  void accept(AuditedEntry audited) {
    if (finished) {
      throw new IllegalStateException("the check has already given its result");
    }
    LogEntry entry = audited.entry();
    if (entry.hasDecision() && entry.getDecision().hasLogOpened()) {
      return; // the identity check's business
    }
    if (entry.getTimeUnixMillis() < openedAt.toEpochMilli()) {
      failures.add(audited.finding("dated before the log was opened"));
    }
    boolean counts;
    if (entry.hasMessage()) {
      counts = checkMessage(audited);
    } else if (entry.hasDecision() && entry.getDecision().hasSiteRevoked()) {
      checkRevocation(audited); // consortium-wide: belongs to no study
      return;
    } else if (entry.hasDecision() && entry.getDecision().hasSiteCertified()) {
      return; // consortium-wide; the sender-signature check verifies it
    } else if (entry.hasDecision()) {
      counts = true;
    } else {
      failures.add(audited.finding("the entry holds neither a message nor a decision"));
      return;
    }
    if (!counts) {
      return;
    }
    if (entry.getStudyId().isEmpty()) {
      failures.add(audited.finding("accepted, sent or decided outside any study"));
      return;
    }
    studies.computeIfAbsent(entry.getStudyId(), Study::new).accept(audited);
  }

  /** The {@code protocol} result, once every entry has been accepted. */
  CheckResult result() {
    if (!finished) {
      finished = true;
      studies.values().forEach(Study::finish);
    }
    int count = studies.size();
    String summary =
        count
            + (count == 1 ? " study, " : " studies, ")
            + roundCount
            + " rounds ("
            + completedRounds
            + " completed, "
            + failedRounds
            + " failed), "
            + messages
            + " messages ("
            + refused
            + " refused)";
    return CheckResult.of(NAME, summary, failures, warnings);
  }

  /** The {@code round-openings} result, after {@link #result()}. */
  CheckResult roundOpenings() {
    if (!finished) {
      throw new IllegalStateException("result() first");
    }
    return CheckResult.of(
        OPENINGS,
        roundCount + " rounds: opening, participants and base model lineage",
        openingFailures,
        List.of());
  }

  /**
   * A SiteRevoked decision (issue #6): outside any study, naming the site, the certificate serial
   * in hexadecimal, the reason and when it was revoked.
   */
  private void checkRevocation(AuditedEntry audited) {
    LogEntry entry = audited.entry();
    org.medfed.proto.v1.SiteRevoked revoked = entry.getDecision().getSiteRevoked();
    if (revoked.getSite().isEmpty()
        || !revoked.getCertificateSerial().matches("[0-9a-f]{1,64}")
        || revoked.getReason().isBlank()
        || revoked.getRevokedAtUnixMillis() <= 0) {
      failures.add(
          audited.finding(
              "SiteRevoked of \""
                  + revoked.getSite()
                  + "\" must name the site, the certificate serial in hexadecimal, a reason and"
                  + " a time"));
    }
    if (!entry.getStudyId().isEmpty() || entry.getRound() != 0) {
      failures.add(audited.finding("SiteRevoked must be outside any study and round"));
    }
  }

  private int siteId(String name) {
    Integer known = siteIds.get(name);
    if (known != null) {
      return known;
    }
    int id = siteNames.size();
    siteIds.put(name, id);
    siteNames.add(name);
    return id;
  }

  /** The sites {@code ids} names, in order by name. */
  private TreeSet<String> siteNames(BitSet ids) {
    TreeSet<String> names = new TreeSet<>();
    ids.stream().forEach(id -> names.add(siteNames.get(id)));
    return names;
  }

  /** The sites {@code names} lists, and whether they were all distinct. */
  private BitSet siteIds(List<String> names, boolean[] distinct) {
    BitSet ids = new BitSet();
    distinct[0] = true;
    for (String name : names) {
      int id = siteId(name);
      if (ids.get(id)) {
        distinct[0] = false;
      }
      ids.set(id);
    }
    return ids;
  }

  /**
   * Where an entry is in the log: what a round keeps of its first, opening and closing entries for
   * findings made when the study is finished, long after the entries themselves are gone.
   */
  private record At(long index, long offset) {
    static At of(AuditedEntry audited) {
      return new At(audited.index(), audited.offset());
    }

    Finding finding(String message) {
      return Finding.atEntry(message, index, offset);
    }
  }

  /** Checks one message; returns whether it took effect (accepted or sent) in its study. */
  private boolean checkMessage(AuditedEntry audited) {
    messages++;
    ExchangedMessage message = audited.entry().getMessage();
    String rpc = message.getRpc();
    if (rpc.isEmpty() || message.getSender().isEmpty() || message.getReceiver().isEmpty()) {
      failures.add(audited.finding("message without an RPC, sender or receiver"));
    }
    if (message.getPayloadSha256().size() != SHA256_BYTES) {
      failures.add(
          audited.finding(
              rpc
                  + " payload digest has "
                  + message.getPayloadSha256().size()
                  + " bytes, not a SHA-256"));
    }
    String outcome = message.getOutcome();
    boolean fromSite = FROM_SITE.contains(rpc);
    boolean toSite = TO_SITE.contains(rpc);
    if (!fromSite && !toSite) {
      warnings.add(audited.finding("unknown RPC \"" + rpc + "\": the auditor cannot judge it"));
    }
    if (!coordinator.isEmpty()) {
      if (fromSite
          && (!message.getReceiver().equals(coordinator)
              || message.getSender().equals(coordinator))) {
        failures.add(
            audited.finding(
                rpc + " must go from a site to the coordinator \"" + coordinator + "\""));
      }
      if (toSite
          && (!message.getSender().equals(coordinator)
              || message.getReceiver().equals(coordinator))) {
        failures.add(
            audited.finding(
                rpc + " must go from the coordinator \"" + coordinator + "\" to a site"));
      }
    }
    if (outcome.equals("sent")) {
      if (fromSite) {
        failures.add(audited.finding(rpc + " from a site is recorded as \"sent\""));
      }
      return true;
    }
    if (outcome.equals("accepted")) {
      if (toSite) {
        failures.add(audited.finding(rpc + " to a site is recorded as \"accepted\""));
      }
      return true;
    }
    refused++;
    Matcher refusal = REFUSAL.matcher(outcome);
    if (!refusal.matches() || refusal.group(2).isBlank() || refusal.group(2).equals("null")) {
      failures.add(
          audited.finding(
              "refused "
                  + rpc
                  + " from "
                  + message.getSender()
                  + " does not give a gRPC status and a reason: \""
                  + outcome
                  + "\""));
    }
    return false;
  }

  /** What one round of a study has seen so far; sites by {@link #siteId}. */
  private static final class Round {
    At firstEntry;
    At opened;
    At closed;
    // From the RoundOpened, once there is one.
    BitSet participants = new BitSet();
    final BitSet updated = new BitSet();
    final BitSet dropped = new BitSet();
  }

  /** What one study has seen so far. */
  private final class Study {
    private final String study;
    private final BitSet invited = new BitSet();
    private final TreeMap<Integer, Round> rounds = new TreeMap<>();
    // Nearly every entry belongs to the latest round.
    private int latestNumber;
    private Round latest;
    private At opened;
    private At closed;
    private long version;
    private ByteString modelSha;

    Study(String studyId) {
      study = "study \"" + studyId + "\"";
    }

    void finish() {
      finishStudy(study, closed, rounds);
    }

    private Round round(int r, AuditedEntry audited) {
      if (latest == null || latestNumber != r) {
        latest = ProtocolCheck.this.round(rounds, r, audited, study);
        latestNumber = r;
      }
      return latest;
    }

    void accept(AuditedEntry audited) {
      LogEntry entry = audited.entry();
      int r = entry.getRound();
      boolean isStudyOpened = entry.hasDecision() && entry.getDecision().hasStudyOpened();
      if (opened == null && !isStudyOpened) {
        failures.add(audited.finding("belongs to " + study + " but comes before its StudyOpened"));
      }
      if (entry.hasMessage()) {
        ExchangedMessage message = entry.getMessage();
        String site =
            FROM_SITE.contains(message.getRpc()) ? message.getSender() : message.getReceiver();
        if (opened != null && !invited.get(siteId(site))) {
          failures.add(
              audited.finding(
                  message.getRpc()
                      + " with site \""
                      + site
                      + "\", which "
                      + study
                      + " did not invite"));
        }
        if (r > 0) {
          Round round = round(r, audited);
          if (CONTRIBUTIONS.contains(message.getRpc()) && message.getOutcome().equals("accepted")) {
            if (round.closed != null) {
              failures.add(
                  audited.finding(
                      "update from "
                          + message.getSender()
                          + " accepted after round "
                          + r
                          + " closed"));
            } else {
              int sender = siteId(message.getSender());
              if (round.updated.get(sender)) {
                failures.add(
                    audited.finding(
                        "a second accepted update from " + message.getSender() + " in round " + r));
              }
              round.updated.set(sender);
            }
          }
        }
        return;
      }
      CoordinatorDecision decision = entry.getDecision();
      if (closed != null) {
        failures.add(audited.finding("decision after StudyClosed, which must be the study's last"));
      }
      switch (decision.getDecisionCase()) {
        case STUDY_OPENED -> {
          if (opened != null) {
            failures.add(audited.finding("a second StudyOpened for " + study));
            break;
          }
          opened = At.of(audited);
          StudyOpened studyOpened = decision.getStudyOpened();
          boolean[] distinct = new boolean[1];
          invited.or(siteIds(studyOpened.getInvitedSitesList(), distinct));
          if (studyOpened.getInvitedSitesCount() == 0 || !distinct[0]) {
            failures.add(audited.finding("StudyOpened must invite distinct sites"));
          }
          if (studyOpened.getStudyConfigSha256().size() != SHA256_BYTES) {
            failures.add(audited.finding("StudyOpened's study file digest is not a SHA-256"));
          }
          if (r != 0) {
            failures.add(audited.finding("StudyOpened must be in round 0, is in round " + r));
          }
        }
        case STUDY_CLOSED -> {
          closed = At.of(audited);
          StudyClosed studyClosed = decision.getStudyClosed();
          if (studyClosed.getStatus().isEmpty()) {
            failures.add(audited.finding("StudyClosed has no status"));
          } else if (!studyClosed.getStatus().equals("completed")
              && studyClosed.getOutcome().isBlank()) {
            failures.add(
                audited.finding(
                    "StudyClosed with status \"" + studyClosed.getStatus() + "\" gives no reason"));
          }
        }
        case ROUND_OPENED -> {
          if (r < 1) {
            failures.add(audited.finding("RoundOpened outside a round (round " + r + ")"));
            break;
          }
          Round round = round(r, audited);
          if (round.opened != null) {
            openingFailures.add(audited.finding("a second RoundOpened for round " + r));
            break;
          }
          if (round.firstEntry.index() != audited.index()) {
            openingFailures.add(
                audited.finding(
                    "RoundOpened of round "
                        + r
                        + " comes after entry "
                        + round.firstEntry.index()
                        + " of that round"));
          }
          round.opened = At.of(audited);
          RoundOpened roundOpened = decision.getRoundOpened();
          boolean[] distinct = new boolean[1];
          round.participants = siteIds(roundOpened.getParticipantsList(), distinct);
          if (round.participants.isEmpty() || !distinct[0]) {
            openingFailures.add(audited.finding("RoundOpened must name distinct participants"));
          }
          BitSet uninvited = (BitSet) round.participants.clone();
          uninvited.andNot(invited);
          uninvited.stream()
              .forEach(
                  id ->
                      openingFailures.add(
                          audited.finding(
                              "participant \""
                                  + siteNames.get(id)
                                  + "\" was not invited to "
                                  + study)));
          if (roundOpened.getBaseModelVersion() != version) {
            openingFailures.add(
                audited.finding(
                    "round "
                        + r
                        + " starts from model version "
                        + roundOpened.getBaseModelVersion()
                        + ", but the latest completed round produced version "
                        + version));
          }
          if (modelSha != null && !roundOpened.getBaseModelSha256().equals(modelSha)) {
            openingFailures.add(
                audited.finding(
                    "round "
                        + r
                        + "'s base model SHA-256 is not the new model SHA-256 of the latest"
                        + " completed round"));
          }
          if (roundOpened.getDeadlineUnixMillis() <= entry.getTimeUnixMillis()) {
            openingFailures.add(
                audited.finding("round " + r + "'s deadline is not after its opening"));
          }
        }
        case SITE_DROPPED -> {
          if (r < 1) {
            failures.add(audited.finding("SiteDropped outside a round (round " + r + ")"));
            break;
          }
          Round round = round(r, audited);
          SiteDropped dropped = decision.getSiteDropped();
          int site = siteId(dropped.getSite());
          if (dropped.getSite().isEmpty()
              || dropped.getOutcome().isBlank()
              || dropped.getReason().isBlank()) {
            failures.add(
                audited.finding(
                    "SiteDropped of \""
                        + dropped.getSite()
                        + "\" must name the site, an outcome and a reason"));
          }
          if (!invited.get(site)) {
            failures.add(
                audited.finding(
                    "dropped site \"" + dropped.getSite() + "\" was not invited to " + study));
          }
          if (round.closed != null) {
            failures.add(audited.finding("site dropped after round " + r + " closed"));
          }
          if (round.updated.get(site)) {
            failures.add(
                audited.finding(
                    "site \""
                        + dropped.getSite()
                        + "\" is dropped although its update was accepted in round "
                        + r));
          }
          if (round.dropped.get(site)) {
            failures.add(
                audited.finding("site \"" + dropped.getSite() + "\" dropped twice in round " + r));
          }
          round.dropped.set(site);
        }
        case ROUND_CLOSED -> {
          if (r < 1) {
            failures.add(audited.finding("RoundClosed outside a round (round " + r + ")"));
            break;
          }
          Round round = round(r, audited);
          if (round.closed != null) {
            failures.add(audited.finding("a second RoundClosed for round " + r));
            break;
          }
          round.closed = At.of(audited);
          RoundClosed roundClosed = decision.getRoundClosed();
          switch (roundClosed.getStatus()) {
            case "completed" -> {
              completedRounds++;
              boolean[] distinct = new boolean[1];
              BitSet aggregated = siteIds(roundClosed.getAggregatedSitesList(), distinct);
              if (!distinct[0]) {
                failures.add(audited.finding("round " + r + " lists an aggregated site twice"));
              }
              if (!aggregated.equals(round.updated)) {
                BitSet missingIds = (BitSet) round.updated.clone();
                missingIds.andNot(aggregated);
                BitSet extraIds = (BitSet) aggregated.clone();
                extraIds.andNot(round.updated);
                Set<String> missing = siteNames(missingIds);
                Set<String> extra = siteNames(extraIds);
                failures.add(
                    audited.finding(
                        "round "
                            + r
                            + " aggregated "
                            + siteNames(aggregated)
                            + " but accepted updates from "
                            + siteNames(round.updated)
                            + (extra.isEmpty() ? "" : "; aggregated without an update: " + extra)
                            + (missing.isEmpty()
                                ? ""
                                : "; accepted but not aggregated: " + missing)));
              }
              if (roundClosed.getNewModelVersion() != version + 1) {
                failures.add(
                    audited.finding(
                        "round "
                            + r
                            + " produced model version "
                            + roundClosed.getNewModelVersion()
                            + ", expected "
                            + (version + 1)));
              }
              if (roundClosed.getNewModelSha256().size() != SHA256_BYTES) {
                failures.add(
                    audited.finding("round " + r + "'s new model digest is not a SHA-256"));
              }
              version = roundClosed.getNewModelVersion();
              modelSha = roundClosed.getNewModelSha256();
            }
            case "failed" -> {
              failedRounds++;
              if (roundClosed.getReason().isBlank()) {
                failures.add(audited.finding("failed round " + r + " gives no reason"));
              }
              if (roundClosed.getAggregatedSitesCount() != 0) {
                failures.add(audited.finding("failed round " + r + " lists aggregated sites"));
              }
            }
            default ->
                failures.add(
                    audited.finding(
                        "round "
                            + r
                            + " closed with unknown status \""
                            + roundClosed.getStatus()
                            + "\""));
          }
        }
        case LOG_OPENED -> {}
        case DECISION_NOT_SET -> failures.add(audited.finding("a decision of no known kind"));
      }
    }
  }

  /**
   * The round {@code r} for an entry of it, noting its first entry and checking that rounds run one
   * after another: nothing of round r before round r-1 closed.
   */
  private Round round(Map<Integer, Round> rounds, int r, AuditedEntry audited, String study) {
    Round round = rounds.computeIfAbsent(r, k -> new Round());
    if (round.firstEntry == null) {
      round.firstEntry = At.of(audited);
      Round previous = rounds.get(r - 1);
      if (r > 1 && (previous == null || previous.closed == null)) {
        failures.add(
            audited.finding(
                "round " + r + " of " + study + " begins before round " + (r - 1) + " closed"));
      }
    }
    return round;
  }

  private void finishStudy(String study, At closed, TreeMap<Integer, Round> rounds) {
    int last = rounds.isEmpty() ? 0 : rounds.lastKey();
    roundCount += last;
    int expected = 1;
    for (Map.Entry<Integer, Round> numbered : rounds.entrySet()) {
      int r = numbered.getKey();
      if (r > expected) {
        // One finding per gap: a tampered round number must not become a billion findings.
        failures.add(
            Finding.of(
                study
                    + " has no entry of round"
                    + (r - 1 == expected ? " " + expected : "s " + expected + ".." + (r - 1))
                    + " but has round "
                    + last));
      }
      expected = r + 1;
      finishRound(study, closed, r, last, numbered.getValue());
    }
  }

  private void finishRound(String study, At closed, int r, int last, Round round) {
    if (round.closed == null) {
      if (closed != null || r < last) {
        failures.add(
            round.firstEntry.finding(
                "round " + r + " of " + study + " has no RoundClosed decision"));
      } else {
        warnings.add(round.firstEntry.finding("round " + r + " of " + study + " is still open"));
      }
    }
    if (round.opened == null) {
      openingFailures.add(
          round.firstEntry.finding(
              "round "
                  + r
                  + " of "
                  + study
                  + " has no RoundOpened decision"
                  + (round.closed == null
                      ? ""
                      : " but a RoundClosed at entry " + round.closed.index())
                  + ": the coordinator logs one before each round's tasks, so its participants"
                  + " and base model are unaccounted for"));
      return;
    }
    BitSet unaccounted = (BitSet) round.participants.clone();
    unaccounted.andNot(round.updated);
    unaccounted.andNot(round.dropped);
    for (String participant : siteNames(unaccounted)) {
      openingFailures.add(
          round.opened.finding(
              "participant \""
                  + participant
                  + "\" of round "
                  + r
                  + " neither had an update accepted nor was dropped with a reason"));
    }
    BitSet outsiders = (BitSet) round.updated.clone();
    outsiders.or(round.dropped);
    outsiders.andNot(round.participants);
    if (!outsiders.isEmpty()) {
      openingFailures.add(
          round.opened.finding(
              "sites "
                  + siteNames(outsiders)
                  + " took part in round "
                  + r
                  + " but are not its participants"));
    }
  }
}
