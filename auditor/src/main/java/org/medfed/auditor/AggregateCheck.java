package org.medfed.auditor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.medfed.auditor.LogAuditor.AuditedEntry;
import org.medfed.crypto.aggregation.ModelEncoding;
import org.medfed.crypto.secagg.AggregateResult;
import org.medfed.crypto.secagg.RoundParameters;
import org.medfed.crypto.secagg.SecAggException;
import org.medfed.crypto.secagg.SecAggMessage;
import org.medfed.crypto.secagg.SecAggServer;
import org.medfed.crypto.secagg.SiteCertificates;
import org.medfed.proto.secagg.SecureAggregationWire;
import org.medfed.proto.v1.AdvertiseKeysRequest;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.PollTaskResponse;
import org.medfed.proto.v1.RevealSharesRequest;
import org.medfed.proto.v1.RoundClosed;
import org.medfed.proto.v1.SecureAggregationRound;
import org.medfed.proto.v1.ShareKeysRequest;

/**
 * {@code aggregate-recomputation}: for every completed round that aggregated securely, replays the
 * round's logged and retained messages through the protocol's own server state machine — the
 * advertised keys (with their signatures, checked against the consortium CA), the shares, the
 * masked inputs, the revealed shares — unmasks the sum exactly as the coordinator had to, and
 * checks that the logged aggregate digest and aggregated sites follow from it. It sees nothing the
 * coordinator did not see: masked vectors and the shares that remove their masks, never one site's
 * update.
 *
 * <p>Plaintext rounds have no masked contributions to recompute from; they are counted, not failed.
 */
final class AggregateCheck {
  static final String NAME = "aggregate-recomputation";

  private AggregateCheck() {}

  /** A round of a study. */
  record RoundKey(String study, int round) {}

  /**
   * The check's result and what {@code model-step} replays from: the aggregate of every completed
   * secure round whose logged digest it reproduced, and which completed rounds were plaintext.
   */
  record Recomputed(
      CheckResult result, Map<RoundKey, double[]> aggregates, Set<RoundKey> plaintext) {}

  /** The secure-aggregation messages a round's recomputation reads, in any round. */
  private static final Set<String> RECOMPUTED_FROM =
      Set.of("PollTask", "AdvertiseKeys", "ShareKeys", "PushMaskedInput", "RevealShares");

  /**
   * Whether the check reads {@code entry}: so that the auditor keeps only these while the rest of
   * the log streams past.
   */
  static boolean reads(LogEntry entry) {
    if (entry.getStudyId().isEmpty() || entry.getRound() == 0) {
      return false;
    }
    return entry.hasMessage()
        ? RECOMPUTED_FROM.contains(entry.getMessage().getRpc())
        : entry.hasDecision() && entry.getDecision().hasRoundClosed();
  }

  /**
   * @param entries every entry {@link #reads} in log order (more do no harm)
   */
  static Recomputed run(List<AuditedEntry> entries, X509Certificate ca, RetainedPayloads retained) {
    if (!retained.available()) {
      return new Recomputed(
          CheckResult.skipped(
              NAME,
              "no contributions folder next to the log, so no round's aggregate can be recomputed"),
          Map.of(),
          Set.of());
    }
    Map<String, Round> rounds = new LinkedHashMap<>();
    for (AuditedEntry audited : entries) {
      LogEntry entry = audited.entry();
      if (entry.getStudyId().isEmpty() || entry.getRound() == 0) {
        continue;
      }
      Round round =
          rounds.computeIfAbsent(
              entry.getStudyId() + "/" + entry.getRound(),
              key -> new Round(entry.getStudyId(), entry.getRound()));
      round.entries.add(audited);
    }
    List<Finding> failures = new ArrayList<>();
    Map<RoundKey, double[]> aggregates = new HashMap<>();
    Set<RoundKey> plaintextRounds = new HashSet<>();
    int recomputed = 0;
    int plaintext = 0;
    for (Round round : rounds.values()) {
      Optional<AuditedEntry> closed =
          round.entries.stream()
              .filter(e -> e.entry().hasDecision() && e.entry().getDecision().hasRoundClosed())
              .findFirst();
      if (closed.isEmpty()
          || !closed.get().entry().getDecision().getRoundClosed().getStatus().equals("completed")) {
        continue;
      }
      try {
        Optional<SecureAggregationRound> spec = spec(round, retained);
        if (spec.isEmpty()) {
          plaintext++;
          plaintextRounds.add(new RoundKey(round.study, round.number));
          continue;
        }
        recompute(round, spec.get(), closed.get(), ca, retained, failures)
            .ifPresent(mean -> aggregates.put(new RoundKey(round.study, round.number), mean));
        recomputed++;
      } catch (IOException | RetainedPayloads.TamperedPayload e) {
        failures.add(closed.get().finding("round " + round.number + ": " + e.getMessage()));
      }
    }
    return new Recomputed(
        CheckResult.of(
            NAME,
            recomputed
                + " secure rounds recomputed from their masked contributions"
                + (plaintext == 0
                    ? ""
                    : ", " + plaintext + " plaintext rounds (nothing to recompute)"),
            failures,
            List.of()),
        aggregates,
        plaintextRounds);
  }

  /** The round's secure-aggregation parameters, from a retained train task, if it had any. */
  private static Optional<SecureAggregationRound> spec(Round round, RetainedPayloads retained)
      throws IOException, RetainedPayloads.TamperedPayload {
    for (AuditedEntry audited : round.entries) {
      ExchangedMessage message = message(audited, "PollTask");
      if (message == null) {
        continue;
      }
      Optional<byte[]> payload = retained.get(message.getPayloadSha256().toByteArray());
      if (payload.isPresent()) {
        PollTaskResponse task = PollTaskResponse.parseFrom(payload.get());
        if (task.hasTrain() && task.getTrain().hasSecureAggregation()) {
          return Optional.of(task.getTrain().getSecureAggregation());
        }
      }
    }
    return Optional.empty();
  }

  /** The round's aggregate (the weighted mean update) if it reproduces the logged digest. */
  private static Optional<double[]> recompute(
      Round round,
      SecureAggregationRound spec,
      AuditedEntry closedEntry,
      X509Certificate ca,
      RetainedPayloads retained,
      List<Finding> failures)
      throws IOException, RetainedPayloads.TamperedPayload {
    String where = "round " + round.number + " of study " + round.study;
    RoundParameters parameters;
    try {
      parameters = SecureAggregationWire.parameters(round.study, round.number, spec);
    } catch (IllegalArgumentException e) {
      failures.add(closedEntry.finding(where + ": unusable parameters: " + e.getMessage()));
      return Optional.empty();
    }
    long session = parameters.round();
    // Certificates are judged as of the round, not of the audit: they may have expired since.
    Instant at = Instant.ofEpochMilli(closedEntry.entry().getTimeUnixMillis());
    SiteCertificates certificates = new SiteCertificates(ca, Clock.fixed(at, ZoneOffset.UTC));
    SecAggServer server = new SecAggServer(parameters, certificates);
    try {
      for (AuditedEntry audited : round.entries) {
        ExchangedMessage message = message(audited, "AdvertiseKeys");
        if (message != null) {
          AdvertiseKeysRequest keys = AdvertiseKeysRequest.parseFrom(payload(message, retained));
          certificates.add(message.getSender(), keys.getSiteCertificate().toByteArray());
          server.receive(
              message.getSender(),
              new SecAggMessage.AdvertiseKeys(
                  session,
                  message.getSender(),
                  keys.getEncryptionKey().toByteArray(),
                  keys.getMaskingKey().toByteArray(),
                  keys.getSignature().toByteArray()));
        }
      }
      server.closeAdvertising();
      for (AuditedEntry audited : round.entries) {
        ExchangedMessage message = message(audited, "ShareKeys");
        if (message != null) {
          ShareKeysRequest shares = ShareKeysRequest.parseFrom(payload(message, retained));
          server.receive(
              message.getSender(),
              new SecAggMessage.ShareKeys(
                  session,
                  message.getSender(),
                  SecureAggregationWire.fromProto(session, shares.getSharesList())));
        }
      }
      server.closeSharing();
      for (AuditedEntry audited : round.entries) {
        ExchangedMessage message = message(audited, "PushMaskedInput");
        if (message != null) {
          byte[] bytes = payload(message, retained);
          int[] masked = new int[bytes.length / Integer.BYTES];
          ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(masked);
          server.receive(
              message.getSender(),
              new SecAggMessage.MaskedInput(session, message.getSender(), masked));
        }
      }
      server.closeMasking();
      for (AuditedEntry audited : round.entries) {
        ExchangedMessage message = message(audited, "RevealShares");
        if (message != null) {
          RevealSharesRequest reveal = RevealSharesRequest.parseFrom(payload(message, retained));
          List<SecAggMessage.RevealedShare> shares = new ArrayList<>();
          for (var share : reveal.getSharesList()) {
            shares.add(SecureAggregationWire.fromProto(share));
          }
          server.receive(
              message.getSender(),
              new SecAggMessage.UnmaskShares(session, message.getSender(), shares));
        }
      }
      AggregateResult result = server.finish();
      RoundClosed closed = closedEntry.entry().getDecision().getRoundClosed();
      if (!new TreeSet<>(result.contributors())
          .equals(new TreeSet<>(closed.getAggregatedSitesList()))) {
        failures.add(
            closedEntry.finding(
                where
                    + " aggregated "
                    + closed.getAggregatedSitesList()
                    + " but the masked inputs sum over "
                    + result.contributors()));
      }
      double[] mean = SecureAggregationWire.meanUpdate(result.sum(), spec);
      if (!MessageDigest.isEqual(
          ModelEncoding.sha256(mean), closed.getAggregateSha256().toByteArray())) {
        failures.add(
            closedEntry.finding(
                where + ": the logged aggregate digest does not follow from the masked inputs"));
        return Optional.empty();
      }
      return Optional.of(mean);
    } catch (SecAggException | IllegalArgumentException e) {
      failures.add(
          closedEntry.finding(
              where + ": the logged contributions do not unmask: " + e.getMessage()));
    } catch (MissingPayload e) {
      failures.add(closedEntry.finding(where + ": " + e.getMessage()));
    }
    return Optional.empty();
  }

  private static ExchangedMessage message(AuditedEntry audited, String rpc) {
    LogEntry entry = audited.entry();
    if (!entry.hasMessage() || !entry.getMessage().getRpc().equals(rpc)) {
      return null;
    }
    ExchangedMessage message = entry.getMessage();
    boolean effective =
        rpc.equals("PollTask")
            ? message.getOutcome().equals("sent")
            : message.getOutcome().equals("accepted");
    return effective ? message : null;
  }

  private static byte[] payload(ExchangedMessage message, RetainedPayloads retained)
      throws IOException, RetainedPayloads.TamperedPayload, MissingPayload {
    Optional<byte[]> payload = retained.get(message.getPayloadSha256().toByteArray());
    if (payload.isEmpty()) {
      throw new MissingPayload(
          "the " + message.getRpc() + " of " + message.getSender() + " was not retained");
    }
    return payload.get();
  }

  private static final class Round {
    final String study;
    final int number;
    final List<AuditedEntry> entries = new ArrayList<>();

    Round(String study, int number) {
      this.study = study;
      this.number = number;
    }
  }

  private static final class MissingPayload extends Exception {
    private static final long serialVersionUID = 1L;

    MissingPayload(String message) {
      super(message);
    }
  }
}
