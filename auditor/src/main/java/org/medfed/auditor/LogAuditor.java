package org.medfed.auditor;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
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

  private static final Map<Descriptor, List<FieldDescriptor>> MESSAGE_FIELDS =
      new ConcurrentHashMap<>();

  private static final byte[] LEAF_PREFIX = {0x00};

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
    // The tree heads first (a few thousand small records): they say which tree sizes the single
    // pass over the entries must hash.
    LogFiles.Parsed headFile = LogFiles.parse(LogFiles.TREE_HEADS, treeHeads);
    Decoder decoder = new Decoder();
    List<Finding> headFailures = new ArrayList<>();
    List<AuditedHead> heads = new ArrayList<>();
    for (LogFiles.Record record : headFile.records()) {
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
              headFailures)
          .ifPresent(head -> heads.add(new AuditedHead(record, head)));
    }
    TreeHeadCheck.Plan plan = TreeHeadCheck.plan(heads);
    StreamingMerkleTree tree = new StreamingMerkleTree();
    plan.request(tree, LogFiles.maxRecords(exchangeLog.length));

    // Framing and CRCs in one sequential scan; then leaf hashing and decoding, the bulk of the
    // work, in parallel slices; then the leaf hashes into the tree in order.
    Framing framing = new Framing();
    LogFiles.Scanned logFile = LogFiles.scan(LogFiles.EXCHANGE_LOG, exchangeLog, framing);
    EntrySlices slices = EntrySlices.read(exchangeLog, framing);
    for (int i = 0; i < framing.count; i++) {
      tree.appendLeafHash(slices.leafHash(i));
    }
    List<Finding> entryFailures = slices.failures();
    List<AuditedEntry> entries = slices.entries(framing);

    List<Finding> integrity = new ArrayList<>();
    logFile.problem().ifPresent(integrity::add);
    headFile.problem().ifPresent(integrity::add);
    integrity.addAll(entryFailures);
    integrity.addAll(headFailures);
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
                + headFile.records().size()
                + " records in "
                + headFile.length()
                + " bytes (magic, lengths, CRC-32C, canonical protobuf)",
            integrity,
            List.of()));
    IdentityCheck.Result identity = IdentityCheck.run(entries, consortiumCa);
    checks.add(identity.result());
    // The checks only read the entries; these three are the longest and independent, so the
    // signature checks run beside the protocol check.
    CompletableFuture<CheckResult> treeHeadCheck =
        CompletableFuture.supplyAsync(() -> TreeHeadCheck.run(plan, tree, identity));
    CompletableFuture<CheckResult> senderCheck =
        CompletableFuture.supplyAsync(
            () -> SenderSignatureCheck.run(entries, consortiumCa, identity.coordinatorName()));
    ProtocolCheck protocol = new ProtocolCheck(entries, identity);
    CheckResult protocolResult = protocol.run();
    CheckResult roundOpenings = protocol.roundOpenings();
    checks.add(joined(treeHeadCheck));
    checks.add(protocolResult);
    checks.add(roundOpenings);
    checks.add(joined(senderCheck));
    checks.add(PrivacyBudgetCheck.run(entries, retained, identity.coordinatorName()));
    checks.add(ReceiptsCheck.run(receipts, entries, heads));
    AggregateCheck.Recomputed aggregates = AggregateCheck.run(entries, consortiumCa, retained);
    checks.add(aggregates.result());
    checks.add(ModelStepCheck.run(entries, retained, aggregates));
    return new AuditReport(source, logFile.records(), headFile.records().size(), checks);
  }

  /** The check's result, or what it threw, as if it had run on this thread. */
  private static CheckResult joined(CompletableFuture<CheckResult> check) {
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

  /** Where each framed record's payload lies in the file, as the sequential scan found it. */
  private static final class Framing implements LogFiles.RecordVisitor {
    private long[] offsets = new long[1024];
    private int[] froms = new int[1024];
    private int[] lengths = new int[1024];
    private int count;

    @Override
    public void record(long index, long offset, byte[] file, int from, int length) {
      if (count == offsets.length) {
        offsets = Arrays.copyOf(offsets, 2 * count);
        froms = Arrays.copyOf(froms, 2 * count);
        lengths = Arrays.copyOf(lengths, 2 * count);
      }
      offsets[count] = offset;
      froms[count] = from;
      lengths[count] = length;
      count++;
    }
  }

  /**
   * Each framed entry's leaf hash and decoding, computed in independent slices of the record range
   * (each with its own digest and decoder) so that all cores share the work.
   */
  private static final class EntrySlices {
    private static final int SLICE = 8192;
    private final byte[] leafHashes;
    private final LogEntry[] decoded;
    private final List<List<Finding>> failuresBySlice;

    private EntrySlices(int count) {
      leafHashes = new byte[count * 32];
      decoded = new LogEntry[count];
      int slices = (count + SLICE - 1) / SLICE;
      failuresBySlice = new ArrayList<>(slices);
      for (int i = 0; i < slices; i++) {
        failuresBySlice.add(new ArrayList<>());
      }
    }

    static EntrySlices read(byte[] file, Framing framing) {
      EntrySlices slices = new EntrySlices(framing.count);
      IntStream.range(0, slices.failuresBySlice.size())
          .parallel()
          .forEach(slice -> slices.readSlice(slice, file, framing));
      return slices;
    }

    private void readSlice(int slice, byte[] file, Framing framing) {
      MessageDigest sha256 = sha256();
      Decoder decoder = new Decoder();
      List<Finding> failures = failuresBySlice.get(slice);
      int end = Math.min(framing.count, (slice + 1) * SLICE);
      for (int i = slice * SLICE; i < end; i++) {
        int from = framing.froms[i];
        int length = framing.lengths[i];
        sha256.update(LEAF_PREFIX);
        sha256.update(file, from, length);
        try {
          sha256.digest(leafHashes, i * 32, 32);
        } catch (DigestException e) {
          throw new IllegalStateException("a 32-byte slot holds a SHA-256 digest", e);
        }
        decoded[i] =
            decoder
                .decode(
                    file,
                    from,
                    length,
                    i,
                    framing.offsets[i],
                    LogEntry.parser(),
                    "LogEntry",
                    LogFiles.EXCHANGE_LOG,
                    failures)
                .orElse(null);
      }
    }

    private static MessageDigest sha256() {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java platform provides SHA-256", e);
      }
    }

    byte[] leafHash(int index) {
      return Arrays.copyOfRange(leafHashes, index * 32, index * 32 + 32);
    }

    List<Finding> failures() {
      List<Finding> all = new ArrayList<>();
      failuresBySlice.forEach(all::addAll);
      return all;
    }

    List<AuditedEntry> entries(Framing framing) {
      List<AuditedEntry> entries = new ArrayList<>(decoded.length);
      for (int i = 0; i < decoded.length; i++) {
        if (decoded[i] != null) {
          entries.add(new AuditedEntry(i, framing.offsets[i], decoded[i]));
        }
      }
      return entries;
    }
  }

  /** A tree-head record that decoded. */
  record AuditedHead(LogFiles.Record record, SignedTreeHead head) {}

  /**
   * Decodes payloads and insists that each is exactly the deterministic encoding of what it decodes
   * to, with no unknown fields: the writer serialises deterministically, so any other byte string
   * that happens to parse was not written by it. Reuses one buffer for the re-encodings.
   */
  private static final class Decoder {
    private byte[] encoded = new byte[256];

    <M extends Message> Optional<M> decode(
        byte[] file,
        int from,
        int length,
        long index,
        long offset,
        com.google.protobuf.Parser<M> parser,
        String type,
        String fileName,
        List<Finding> failures) {
      M message;
      try {
        message = parser.parseFrom(file, from, length);
      } catch (InvalidProtocolBufferException e) {
        failures.add(
            Finding.atOffset(
                "record " + index + " is not a " + type + ": " + e.getMessage(),
                fileName,
                index,
                offset));
        return Optional.empty();
      }
      if (!encodesTo(message, file, from, length) || hasUnknownFields(message)) {
        failures.add(
            Finding.atOffset(
                "record "
                    + index
                    + " is not in the canonical (deterministic) "
                    + type
                    + " encoding the coordinator writes",
                fileName,
                index,
                offset));
        return Optional.empty();
      }
      return Optional.of(message);
    }

    /** Whether the deterministic encoding of {@code message} is {@code file[from, from+length)}. */
    private boolean encodesTo(Message message, byte[] file, int from, int length) {
      int size = message.getSerializedSize();
      if (size != length) {
        return false;
      }
      if (encoded.length < size) {
        encoded = new byte[Math.max(size, 2 * encoded.length)];
      }
      CodedOutputStream out = CodedOutputStream.newInstance(encoded, 0, size);
      out.useDeterministicSerialization();
      try {
        message.writeTo(out);
        out.checkNoSpaceLeft();
      } catch (IOException e) {
        throw new IllegalStateException("serialising into a sized array cannot fail", e);
      }
      return Arrays.equals(encoded, 0, size, file, from, from + length);
    }
  }

  static byte[] deterministic(Message message) {
    byte[] bytes = new byte[message.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    try {
      message.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("serialising into a sized array cannot fail", e);
    }
    return bytes;
  }

  /** Whether {@code message} or any message inside it holds fields its schema does not define. */
  private static boolean hasUnknownFields(Message message) {
    if (!message.getUnknownFields().isEmpty()) {
      return true;
    }
    for (FieldDescriptor field : messageFields(message.getDescriptorForType())) {
      if (field.isRepeated()) {
        int count = message.getRepeatedFieldCount(field);
        for (int i = 0; i < count; i++) {
          if (hasUnknownFields((Message) message.getRepeatedField(field, i))) {
            return true;
          }
        }
      } else if (message.hasField(field) && hasUnknownFields((Message) message.getField(field))) {
        return true;
      }
    }
    return false;
  }

  /** The fields of a message type that hold messages (repeated and map fields included). */
  private static List<FieldDescriptor> messageFields(Descriptor type) {
    return MESSAGE_FIELDS.computeIfAbsent(
        type,
        t ->
            t.getFields().stream()
                .filter(f -> f.getJavaType() == FieldDescriptor.JavaType.MESSAGE)
                .toList());
  }
}
