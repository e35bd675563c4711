package org.medfed.auditor;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
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
 * per check. Each check runs on whatever could be read, so a damaged log still gets as complete a
 * report as its intact part allows.
 *
 * <p>The exchange log is read once: its entries stream through the checks in log order, a slice at
 * a time ({@link EntryStream}), and each check keeps only what it needs, so memory grows with the
 * sites and rounds, not with the number of entries.
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
    Objects.requireNonNull(consortiumCa, "consortiumCa");
    Path logFile = directory.resolve(LogFiles.EXCHANGE_LOG);
    byte[] heads = LogFiles.readAll(directory.resolve(LogFiles.TREE_HEADS));
    // Reading a large log takes a while: meanwhile the tree heads are decoded, and the log's
    // first entry, read on its own, names and verifies its keeper.
    Start start = Start.begin(heads, LogFiles.readPrefix(logFile), consortiumCa);
    byte[] log = LogFiles.readAll(logFile);
    return verify(
        directory.toString(),
        log,
        start,
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
    Objects.requireNonNull(exchangeLog, "exchangeLog");
    Objects.requireNonNull(treeHeads, "treeHeads");
    Objects.requireNonNull(consortiumCa, "consortiumCa");
    return verify(
        source,
        exchangeLog,
        Start.begin(treeHeads, exchangeLog, consortiumCa),
        consortiumCa,
        retained,
        receipts);
  }

  private static AuditReport verify(
      String source,
      byte[] exchangeLog,
      Start start,
      X509Certificate consortiumCa,
      RetainedPayloads retained,
      List<Path> receipts) {
    Objects.requireNonNull(source, "source");
    FramedLog log = new FramedLog(exchangeLog);
    LogFiles.Scanned logFile = LogFiles.scan(LogFiles.EXCHANGE_LOG, exchangeLog, log);
    try (EntryStream stream = EntryStream.start(log)) {
      return verify(
          source, consortiumCa, retained, receipts, log, logFile, start.confirmed(log), stream);
    }
  }

  private static AuditReport verify(
      String source,
      X509Certificate consortiumCa,
      RetainedPayloads retained,
      List<Path> receipts,
      FramedLog log,
      LogFiles.Scanned logFile,
      Start start,
      EntryStream stream) {
    CompletableFuture<IdentityCheck.Result> verifiedOpening = start.identity();
    CompletableFuture<boolean[]> headSignatures =
        start
            .heads()
            .thenCombineAsync(
                verifiedOpening,
                (heads, opening) -> TreeHeadCheck.verifySignatures(heads.plan(), opening));
    Heads heads = joined(start.heads());
    StreamingMerkleTree tree = new StreamingMerkleTree();
    heads.plan().request(tree, LogFiles.maxRecords(log.file().length));
    IdentityCheck.Claim keeper = joined(start.claim());
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
          slice.appendLeafHashesTo(tree);
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

  /**
   * What the audit starts on before the whole log has been read, each on its own thread: decoding
   * the tree heads, and, from the log's first record, who keeps the log (which the protocol and
   * signature checks need from the first entry on) and the verification of that claim.
   */
  private record Start(
      X509Certificate ca,
      Optional<LogFiles.Record> first,
      CompletableFuture<Heads> heads,
      CompletableFuture<IdentityCheck.Claim> claim,
      CompletableFuture<IdentityCheck.Result> identity) {

    /**
     * @param logPrefix the exchange log's first bytes ({@link LogFiles#readPrefix}) or all of it
     */
    static Start begin(byte[] treeHeads, byte[] logPrefix, X509Certificate ca) {
      CompletableFuture<Heads> heads =
          CompletableFuture.supplyAsync(() -> Heads.read(treeHeads), Start::ownThread);
      return begin(LogFiles.firstRecord(logPrefix), heads, ca);
    }

    private static Start begin(
        Optional<LogFiles.Record> first, CompletableFuture<Heads> heads, X509Certificate ca) {
      CompletableFuture<Optional<AuditedEntry>> entry =
          CompletableFuture.supplyAsync(() -> decoded(first), Start::ownThread);
      return new Start(
          ca,
          first,
          heads,
          entry.thenApplyAsync(IdentityCheck.Claim::of, Start::ownThread),
          entry.thenApplyAsync(decoded -> IdentityCheck.run(decoded, ca), Start::ownThread));
    }

    /** The first record as an entry, if it is a canonical LogEntry (file-integrity says if not). */
    private static Optional<AuditedEntry> decoded(Optional<LogFiles.Record> first) {
      return first.flatMap(
          record ->
              new CanonicalDecoder()
                  .entry(
                      record.payload(),
                      0,
                      record.payload().length,
                      0,
                      record.offset(),
                      new ArrayList<>()));
    }

    /**
     * This start if the whole log begins with the record it started from, else one from the whole
     * log's first record (the file changed between the two reads).
     */
    Start confirmed(FramedLog log) {
      Optional<LogFiles.Record> actual =
          log.count() == 0
              ? Optional.empty()
              : Optional.of(
                  new LogFiles.Record(
                      0,
                      log.offset(0),
                      Arrays.copyOfRange(log.file(), log.from(0), log.from(0) + log.length(0))));
      boolean same =
          actual.isEmpty()
              ? first.isEmpty()
              : first.isPresent()
                  && first.get().offset() == actual.get().offset()
                  && Arrays.equals(first.get().payload(), actual.get().payload());
      return same ? this : begin(actual, heads, ca);
    }

    /** Runs a start-up task on a thread of its own, beside the main thread reading the log. */
    private static void ownThread(Runnable task) {
      Thread.ofPlatform().daemon().name("audit-start").start(task);
    }
  }

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
