package org.medfed.coordinator.exchangelog;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.medfed.crypto.merkle.Checkpoint;
import org.medfed.crypto.merkle.MerkleHashes;
import org.medfed.crypto.merkle.MerkleTree;
import org.medfed.crypto.merkle.SignedCheckpoint;
import org.medfed.crypto.sign.Signer;
import org.medfed.proto.log.DeterministicEncoding;
import org.medfed.proto.v1.CoordinatorDecision;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.LogOpened;
import org.medfed.proto.v1.SignedTreeHead;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's exchange log: every protocol message (accepted or refused) and every
 * coordinator decision, as deterministic protobuf {@link LogEntry} records in a {@link DurableLog}.
 * A call returns only once its entry is on disk, so the caller may then acknowledge the message it
 * records.
 */
public final class ExchangeLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExchangeLog.class);

  private final DurableLog file;
  private final DurableLog treeHeads;
  private final Clock clock;
  private final Signer signer;
  private final String origin;
  private final MerkleTree tree = new MerkleTree();
  private final RetainedPayloads retained;
  // Appends finish out of order under group commit; the tree takes leaves strictly in index order.
  private final Map<Long, byte[]> pendingLeaves = new HashMap<>();
  private long nextLeaf;
  // Which entries name each party as sender or receiver: what a site gets receipts for.
  private final Map<String, List<Long>> entriesByParty = new HashMap<>();

  private ExchangeLog(
      DurableLog file,
      DurableLog treeHeads,
      RetainedPayloads retained,
      Clock clock,
      Signer signer,
      String origin)
      throws IOException {
    this.file = file;
    this.retained = retained;
    this.treeHeads = treeHeads;
    this.clock = clock;
    this.signer = signer;
    this.origin = origin;
    long size = file.size();
    for (long from = 0; from < size; from += 10_000) {
      long index = from;
      for (byte[] entry : file.read(from, Math.min(size, from + 10_000))) {
        tree.append(entry);
        LogEntry parsed = LogEntry.parseFrom(entry);
        if (parsed.hasMessage()) {
          indexParties(index, parsed.getMessage());
        }
        index++;
      }
    }
    nextLeaf = size;
  }

  /**
   * Opens the log in {@code directory} ({@code exchange.log} and its signed tree heads in {@code
   * tree-heads.log}), rebuilding the Merkle tree over the entries already there.
   *
   * @param signer signs tree heads with the coordinator's key
   * @param origin names this log in its checkpoints, e.g. {@code coordinator/exchange-log}
   */
  public static ExchangeLog open(Path directory, Clock clock, Signer signer, String origin)
      throws IOException {
    Files.createDirectories(directory);
    Path path = directory.resolve("exchange.log");
    DurableLog file = DurableLog.open(path);
    if (file.cutBytes() > 0) {
      log.atWarn()
          .setMessage("exchange log had a torn tail from a crash; cut it")
          .addKeyValue("file", path)
          .addKeyValue("cutBytes", file.cutBytes())
          .addKeyValue("entries", file.size())
          .log();
    }
    return new ExchangeLog(
        file,
        DurableLog.open(directory.resolve("tree-heads.log")),
        new RetainedPayloads(directory),
        clock,
        signer,
        origin);
  }

  /**
   * Opens the coordinator's log; a new log starts with a {@code LogOpened} entry holding the
   * coordinator's certificate, so the log alone tells an auditor whose key signs its tree heads.
   */
  public static ExchangeLog openForCoordinator(
      Path directory, Clock clock, Signer signer, X509Certificate certificate, String origin)
      throws IOException {
    ExchangeLog log = open(directory, clock, signer, origin);
    if (log.size() == 0) {
      try {
        log.recordDecision(
            "",
            0,
            CoordinatorDecision.newBuilder()
                .setLogOpened(
                    LogOpened.newBuilder()
                        .setCoordinatorCertificate(ByteString.copyFrom(certificate.getEncoded()))
                        .setOrigin(origin))
                .build());
      } catch (CertificateEncodingException e) {
        throw new IOException("cannot encode the coordinator certificate", e);
      }
    }
    return log;
  }

  /** Opens an existing log for reading only (no signing), e.g. to inspect it after a crash. */
  public static ExchangeLog openForReading(Path directory, Clock clock) throws IOException {
    return open(
        directory,
        clock,
        message -> {
          throw new IllegalStateException("this exchange log was opened for reading only");
        },
        "read-only");
  }

  /**
   * Records a message whose payload the auditor needs again (secure-aggregation messages), storing
   * the payload under the SHA-256 the entry carries before the entry itself; returns the index once
   * both are durable.
   */
  public long recordRetained(String studyId, int round, ExchangedMessage message, byte[] payload) {
    retained.retain(message.getPayloadSha256().toByteArray(), payload);
    return recordMessage(studyId, round, message);
  }

  /** Records a message and returns its index once it is durable. */
  public long recordMessage(String studyId, int round, ExchangedMessage message) {
    long index =
        append(
            LogEntry.newBuilder()
                .setTimeUnixMillis(clock.millis())
                .setStudyId(studyId)
                .setRound(round)
                .setMessage(message)
                .build());
    synchronized (tree) {
      indexParties(index, message);
    }
    return index;
  }

  private void indexParties(long index, ExchangedMessage message) {
    entriesByParty.computeIfAbsent(message.getSender(), p -> new ArrayList<>()).add(index);
    entriesByParty.computeIfAbsent(message.getReceiver(), p -> new ArrayList<>()).add(index);
  }

  /** Indexes in [from, to) of the entries naming the party as sender or receiver, ascending. */
  public List<Long> entriesAbout(String party, long from, long to) {
    synchronized (tree) {
      return entriesByParty.getOrDefault(party, List.of()).stream()
          .filter(i -> i >= from && i < to)
          .sorted()
          .toList();
    }
  }

  /**
   * Records a decision whose evidence the auditor needs (the initial global model of a study),
   * storing {@code payload} under its SHA-256 before the entry that carries that digest; returns
   * the index once both are durable.
   */
  public long recordRetainedDecision(
      String studyId, int round, CoordinatorDecision decision, byte[] payload) {
    retained.retain(sha256(payload).toByteArray(), payload);
    return recordDecision(studyId, round, decision);
  }

  /** Records a coordinator decision and returns its index once it is durable. */
  public long recordDecision(String studyId, int round, CoordinatorDecision decision) {
    return append(
        LogEntry.newBuilder()
            .setTimeUnixMillis(clock.millis())
            .setStudyId(studyId)
            .setRound(round)
            .setDecision(decision)
            .build());
  }

  public long size() {
    return file.size();
  }

  /**
   * Signs a tree head over every entry appended so far, stores it durably, and returns it. The
   * coordinator calls this after each round; sites and auditors keep the heads they see.
   */
  public SignedCheckpoint signTreeHead() {
    SignedCheckpoint head;
    synchronized (tree) {
      long size = nextLeaf;
      head =
          SignedCheckpoint.sign(
              new Checkpoint(origin, size, tree.rootHash(size), clock.instant()), signer);
    }
    try {
      treeHeads.append(
          SignedTreeHead.newBuilder()
              .setCheckpoint(ByteString.copyFrom(head.checkpoint().encode()))
              .setSignature(ByteString.copyFrom(head.signature()))
              .build()
              .toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the signed tree head", e);
    }
    return head;
  }

  /** Every signed tree head, oldest first. */
  public List<SignedTreeHead> treeHeads() throws IOException {
    List<SignedTreeHead> heads = new ArrayList<>();
    for (byte[] raw : treeHeads.read(0, treeHeads.size())) {
      heads.add(SignedTreeHead.parseFrom(raw));
    }
    return heads;
  }

  /** The audit path of entry {@code index} in the tree of the first {@code treeSize} entries. */
  public List<byte[]> inclusionProof(long index, long treeSize) {
    synchronized (tree) {
      return tree.inclusionProof(index, treeSize);
    }
  }

  /** The proof that the tree of {@code newSize} entries extends the one of {@code oldSize}. */
  public List<byte[]> consistencyProof(long oldSize, long newSize) {
    synchronized (tree) {
      return tree.consistencyProof(oldSize, newSize);
    }
  }

  /** The root of the tree of the first {@code treeSize} entries. */
  public byte[] rootHash(long treeSize) {
    synchronized (tree) {
      return tree.rootHash(treeSize);
    }
  }

  /** Entries that are durable and in the tree, i.e. that proofs can cover. */
  public long treeSize() {
    synchronized (tree) {
      return nextLeaf;
    }
  }

  /** The entries [from, to), exactly as stored (the bytes that are hashed into the log). */
  public List<byte[]> rawEntries(long from, long to) throws IOException {
    return file.read(from, to);
  }

  public List<LogEntry> entries(long from, long to) throws IOException {
    List<LogEntry> entries = new ArrayList<>();
    for (byte[] raw : file.read(from, to)) {
      try {
        entries.add(LogEntry.parseFrom(raw));
      } catch (InvalidProtocolBufferException e) {
        throw new IOException("exchange log entry is not a LogEntry: " + e.getMessage(), e);
      }
    }
    return entries;
  }

  /** SHA-256 of a message's bytes, as recorded in {@link ExchangedMessage#getPayloadSha256()}. */
  public static ByteString sha256(byte[] bytes) {
    try {
      return ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  private long append(LogEntry entry) {
    try {
      byte[] bytes = DeterministicEncoding.of(entry);
      long index = file.append(bytes);
      byte[] leaf = MerkleHashes.leafHash(bytes);
      synchronized (tree) {
        pendingLeaves.put(index, leaf);
        while (pendingLeaves.containsKey(nextLeaf)) {
          tree.appendLeafHash(pendingLeaves.remove(nextLeaf++));
        }
      }
      return index;
    } catch (IOException e) {
      // Nothing may be acknowledged that is not in the log: the caller's message fails instead.
      throw new UncheckedIOException("cannot append to the exchange log " + file.file(), e);
    }
  }

  @Override
  public void close() throws IOException {
    file.close();
    treeHeads.close();
  }
}
