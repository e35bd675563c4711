package org.medfed.auditor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.medfed.crypto.merkle.StreamingMerkleTree;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.SignedTreeHead;

/**
 * Verifies an exchange log directory against the consortium CA and returns a report with one result
 * per check. Checks run in order, each on whatever the earlier ones could read, so a damaged log
 * still gets as complete a report as its intact part allows.
 *
 * <p>The checks: {@code file-integrity}, {@code coordinator-identity}, {@code tree-heads}, {@code
 * protocol}, {@code round-openings}, {@code sender-signatures}, {@code privacy-budget} (needs the
 * retained payloads), {@code receipts} (needs sites' receipts), {@code aggregate-recomputation} and
 * {@code model-step} (both need the retained payloads); a check without its evidence is reported as
 * skipped, never passed.
 */
public final class LogAuditor {

  private LogAuditor() {}

  /**
   * Verifies {@code exchange.log} and {@code tree-heads.log} in {@code directory}.
   *
   * @throws IOException if either file cannot be read
   */
  public static AuditReport verify(Path directory, X509Certificate consortiumCa)
      throws IOException {
    return verify(directory, consortiumCa, List.of());
  }

  /**
   * Verifies the log in {@code directory}, the payloads retained beside it ({@code contributions/})
   * and the receipts the given sites hold.
   *
   * @param receipts each a site's receipts folder ({@code state-dir/receipts}) or its state dir
   * @throws IOException if either log file cannot be read
   */
  public static AuditReport verify(
      Path directory, X509Certificate consortiumCa, List<Path> receipts) throws IOException {
    Objects.requireNonNull(directory, "directory");
    byte[] log = Files.readAllBytes(directory.resolve(LogFiles.EXCHANGE_LOG));
    byte[] heads = Files.readAllBytes(directory.resolve(LogFiles.TREE_HEADS));
    return verify(
        directory.toString(),
        log,
        heads,
        consortiumCa,
        new RetainedPayloads(directory.resolve("contributions")),
        receipts);
  }

  /** Verifies the contents of the two files; {@code source} names them in the report. */
  public static AuditReport verify(
      String source, byte[] exchangeLog, byte[] treeHeads, X509Certificate consortiumCa) {
    return verify(source, exchangeLog, treeHeads, consortiumCa, RetainedPayloads.none(), List.of());
  }

  static AuditReport verify(
      String source,
      byte[] exchangeLog,
      byte[] treeHeads,
      X509Certificate consortiumCa,
      RetainedPayloads retained,
      List<Path> receipts) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(exchangeLog, "exchangeLog");
    Objects.requireNonNull(treeHeads, "treeHeads");
    Objects.requireNonNull(consortiumCa, "consortiumCa");
    // The tree heads (a few thousand small records) are decoded while the exchange log's framing
    // and CRCs are checked: they say which tree sizes the single pass over the entries must hash.
    CompletableFuture<Heads> headsRead = CompletableFuture.supplyAsync(() -> Heads.read(treeHeads));
    FramedLog log = new FramedLog(exchangeLog);
    LogFiles.Scanned logFile = LogFiles.scan(LogFiles.EXCHANGE_LOG, exchangeLog, log);
    try (EntryStream stream = EntryStream.start(log)) {
      return verify(source, consortiumCa, retained, receipts, log, logFile, headsRead, stream);
    }
  }

  private static AuditReport verify(
      String source,
      X509Certificate consortiumCa,
      RetainedPayloads retained,
      List<Path> receipts,
      FramedLog log,
      LogFiles.Scanned logFile,
      CompletableFuture<Heads> headsRead,
      EntryStream stream) {
    // The first entry names the coordinator. Verifying that claim (and the tree heads with its key)
    // takes a while, so it runs while the entries stream past the checks that need only the name.
    Optional<AuditedEntry> first = log.read(0);
    IdentityCheck.Claim keeper = IdentityCheck.Claim.of(first);
    CompletableFuture<IdentityCheck.Result> verifiedOpening =
        CompletableFuture.supplyAsync(() -> IdentityCheck.run(first, consortiumCa));
    CompletableFuture<boolean[]> headSignatures =
        headsRead.thenCombineAsync(
            verifiedOpening,
            (heads, opening) -> TreeHeadCheck.verifySignatures(heads.plan(), opening));
    Heads heads = joined(headsRead);
    StreamingMerkleTree tree = new StreamingMerkleTree();
    heads.plan().request(tree, LogFiles.maxRecords(log.file().length));
    ProtocolCheck protocol = new ProtocolCheck(keeper);
    SenderSignatureCheck senders =
        new SenderSignatureCheck(consortiumCa, keeper.coordinatorName(), log);
    // The checks that need retained payloads keep only the entries they read.
    boolean payloads = retained.available();
    List<AuditedEntry> laterOpenings = new ArrayList<>();
    List<AuditedEntry> budgetEntries = new ArrayList<>();
    List<AuditedEntry> aggregateEntries = new ArrayList<>();
    List<AuditedEntry> decisionEntries = new ArrayList<>();
    List<Finding> entryFailures = new ArrayList<>();
    stream.forEach(
        slice -> {
          for (int i = 0; i < slice.records(); i++) {
            tree.appendLeafHash(slice.leafHash(i));
          }
          entryFailures.addAll(slice.failures());
          for (AuditedEntry audited : slice.entries()) {
            LogEntry entry = audited.entry();
            if (audited.index() > 0 && IdentityCheck.opensLog(entry)) {
              laterOpenings.add(audited);
            }
            protocol.accept(audited);
            senders.accept(audited);
            if (payloads) {
              keepIf(PrivacyBudgetCheck.reads(entry), audited, budgetEntries);
              keepIf(AggregateCheck.reads(entry), audited, aggregateEntries);
              keepIf(ModelStepCheck.reads(entry), audited, decisionEntries);
            }
          }
        });
    IdentityCheck.Result identity = joined(verifiedOpening).withLaterOpenings(laterOpenings);
    // Hashing and chaining the site statements is the longest remaining step: beside the others.
    CompletableFuture<CheckResult> senderCheck = CompletableFuture.supplyAsync(senders::result);

    List<Finding> integrity = new ArrayList<>();
    logFile.problem().ifPresent(integrity::add);
    heads.file().problem().ifPresent(integrity::add);
    integrity.addAll(entryFailures);
    integrity.addAll(heads.failures());
    List<CheckResult> checks = new ArrayList<>();
    checks.add(
        CheckResult.of(
            "file-integrity",
            LogFiles.EXCHANGE_LOG
                + ": "
                + logFile.records()
                + " records in "
                + logFile.length()
                + " bytes; "
                + LogFiles.TREE_HEADS
                + ": "
                + heads.file().records().size()
                + " records in "
                + heads.file().length()
                + " bytes (magic, lengths, CRC-32C, canonical protobuf)",
            integrity,
            List.of()));
    checks.add(identity.result());
    checks.add(TreeHeadCheck.run(heads.plan(), tree, identity, joined(headSignatures)));
    checks.add(protocol.result());
    checks.add(protocol.roundOpenings());
    checks.add(joined(senderCheck));
    checks.add(PrivacyBudgetCheck.run(budgetEntries, retained, identity.coordinatorName()));
    checks.add(ReceiptsCheck.run(receipts, log, heads.heads()));
    AggregateCheck.Recomputed aggregates =
        AggregateCheck.run(aggregateEntries, consortiumCa, retained);
    checks.add(aggregates.result());
    checks.add(ModelStepCheck.run(decisionEntries, retained, aggregates));
    return new AuditReport(source, logFile.records(), heads.file().records().size(), checks);
  }

  private static void keepIf(boolean read, AuditedEntry audited, List<AuditedEntry> kept) {
    if (read) {
      kept.add(audited);
    }
  }

  /** What a check computed on another thread, or what it threw, as if on this one. */
  private static <T> T joined(CompletableFuture<T> check) {
    try {
      return check.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /** An entry that decoded, with its index (also its Merkle leaf index) and byte offset. */
  record AuditedEntry(long index, long offset, LogEntry entry) {
    Finding finding(String message) {
      return Finding.atEntry(message, index, offset);
    }
  }

  /** A tree-head record that decoded. */
  record AuditedHead(LogFiles.Record record, SignedTreeHead head) {}

  /** The tree-head file: its records, those that decoded, why the others did not, and the plan. */
  private record Heads(
      LogFiles.Parsed file,
      List<AuditedHead> heads,
      List<Finding> failures,
      TreeHeadCheck.Plan plan) {
    static Heads read(byte[] treeHeads) {
      LogFiles.Parsed file = LogFiles.parse(LogFiles.TREE_HEADS, treeHeads);
      CanonicalDecoder decoder = new CanonicalDecoder();
      List<Finding> failures = new ArrayList<>();
      List<AuditedHead> heads = new ArrayList<>();
      for (LogFiles.Record record : file.records()) {
        byte[] payload = record.payload();
        decoder
            .decode(
                payload,
                0,
                payload.length,
                record.index(),
                record.offset(),
                SignedTreeHead.parser(),
                "SignedTreeHead",
                LogFiles.TREE_HEADS,
                failures)
            .ifPresent(head -> heads.add(new AuditedHead(record, head)));
      }
      return new Heads(file, heads, failures, TreeHeadCheck.plan(heads));
    }
  }
}
