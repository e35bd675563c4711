package org.medfed.auditor;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.medfed.crypto.merkle.Checkpoint;
import org.medfed.crypto.merkle.MerkleTree;
import org.medfed.crypto.merkle.SignedCheckpoint;
import org.medfed.crypto.merkle.VerificationException;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.pki.Pem;
import org.medfed.crypto.pki.PkiException;
import org.medfed.crypto.sign.Signatures;
import org.medfed.crypto.sign.Signer;
import org.medfed.proto.log.DeterministicEncoding;
import org.medfed.proto.v1.CoordinatorDecision;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.LogOpened;
import org.medfed.proto.v1.SignedTreeHead;

/** The demo fixture, record framing, and a writer for synthetic logs signed by a test CA. */
final class TestLogs {
  static final String ORIGIN = "coordinator/exchange-log";

  private TestLogs() {}

  static Path fixture() {
    try {
      return Path.of(TestLogs.class.getResource("/demo-run/exchange.log").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static X509Certificate fixtureCa() {
    try {
      return Pem.parseCertificate(Files.readString(fixture().resolve("ca.crt.pem")));
    } catch (IOException | PkiException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The payloads of a record file that is known to be intact. */
  static List<byte[]> payloads(byte[] file) {
    LogFiles.Parsed parsed = LogFiles.parse("test", file);
    if (parsed.problem().isPresent()) {
      throw new IllegalArgumentException(parsed.problem().get().message());
    }
    return parsed.records().stream().map(LogFiles.Record::payload).toList();
  }

  /** The records (index, byte offset, payload) of a record file that is known to be intact. */
  static List<LogFiles.Record> records(byte[] file) {
    LogFiles.Parsed parsed = LogFiles.parse("test", file);
    if (parsed.problem().isPresent()) {
      throw new IllegalArgumentException(parsed.problem().get().message());
    }
    return parsed.records();
  }

  /** The tree size of the last head in an intact tree-heads.log. */
  static long latestTreeSize(byte[] treeHeads) {
    try {
      return Checkpoint.parse(
              SignedTreeHead.parseFrom(payloads(treeHeads).getLast()).getCheckpoint().toByteArray())
          .treeSize();
    } catch (InvalidProtocolBufferException | VerificationException e) {
      throw new IllegalStateException(e);
    }
  }

  static LogEntry parseEntry(byte[] payload) {
    try {
      return LogEntry.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code entries} followed by {@code count} more, as a running coordinator appends them before it
   * signs its next tree head: copies of the last {@code count} messages the coordinator sent to a
   * site (which it may send at any time, even after the study closed), each made one second after
   * the entry before it, deterministically serialised. The result is what {@link #frame} of a log
   * with an unsigned tail holds.
   */
  static List<byte[]> withUnsignedTail(List<byte[]> entries, int count) {
    List<LogEntry> sent =
        entries.stream()
            .map(TestLogs::parseEntry)
            .filter(e -> e.hasMessage() && e.getMessage().getOutcome().equals("sent"))
            .toList();
    if (sent.size() < count) {
      throw new IllegalArgumentException("fewer than " + count + " sent messages to copy");
    }
    List<byte[]> extended = new ArrayList<>(entries);
    long time = parseEntry(entries.getLast()).getTimeUnixMillis();
    for (LogEntry copy : sent.subList(sent.size() - count, sent.size())) {
      time += 1000;
      extended.add(DeterministicEncoding.of(copy.toBuilder().setTimeUnixMillis(time).build()));
    }
    return extended;
  }

  /** The magic followed by each payload framed with its length and CRC-32C. */
  static byte[] frame(List<byte[]> payloads) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(LogFiles.magic());
    payloads.forEach(p -> out.writeBytes(LogFiles.frame(p)));
    return out.toByteArray();
  }

  static void write(Path directory, byte[] exchangeLog, byte[] treeHeads) {
    try {
      Files.createDirectories(directory);
      Files.write(directory.resolve(LogFiles.EXCHANGE_LOG), exchangeLog);
      Files.write(directory.resolve(LogFiles.TREE_HEADS), treeHeads);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path writeCa(Path directory, X509Certificate ca) {
    try {
      Files.createDirectories(directory);
      return Files.writeString(directory.resolve("ca.crt.pem"), Pem.encode(ca));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What a command run printed and returned. */
  record Run(int exitCode, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        AuditMain.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static int quietRun(String... args) {
    PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
    return AuditMain.run(args, discard, discard);
  }

  /** A consortium of a fresh test CA and a coordinator it issued, that can write signed logs. */
  static final class Consortium {
    final CertificateAuthority ca = CertificateAuthority.create("audit-test", Duration.ofDays(30));
    final IssuedCredential coordinator =
        ca.issueCoordinator("coordinator", List.of("localhost"), List.of(), Duration.ofDays(30));
    final Instant start =
        Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);

    /** The LogOpened entry every log of this coordinator starts with. */
    LogEntry logOpened() {
      try {
        return LogEntry.newBuilder()
            .setTimeUnixMillis(start.toEpochMilli())
            .setDecision(
                CoordinatorDecision.newBuilder()
                    .setLogOpened(
                        LogOpened.newBuilder()
                            .setCoordinatorCertificate(
                                ByteString.copyFrom(coordinator.certificate().getEncoded()))
                            .setOrigin(ORIGIN)))
            .build();
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }

    Signer signer() {
      try {
        return Signatures.signer(coordinator.privateKey());
      } catch (InvalidKeyException e) {
        throw new IllegalStateException(e);
      }
    }

    /** A signed tree head over the first {@code size} of {@code entries}. */
    byte[] head(List<byte[]> entries, int size, Instant at) {
      MerkleTree tree = new MerkleTree();
      entries.subList(0, size).forEach(tree::append);
      SignedCheckpoint head =
          SignedCheckpoint.sign(new Checkpoint(ORIGIN, size, tree.rootHash(), at), signer());
      return SignedTreeHead.newBuilder()
          .setCheckpoint(ByteString.copyFrom(head.checkpoint().encode()))
          .setSignature(ByteString.copyFrom(head.signature()))
          .build()
          .toByteArray();
    }

    /**
     * Writes {@code entries} (deterministically serialised) as exchange.log, with one signed head
     * over all of them, and the CA as ca.crt.pem; returns the CA file.
     */
    Path writeSigned(Path directory, List<LogEntry> entries) {
      List<byte[]> payloads = serialise(entries);
      byte[] head = head(payloads, payloads.size(), Instant.now());
      write(directory, frame(payloads), frame(List.of(head)));
      return writeCa(directory, ca.certificate());
    }

    AuditReport audit(List<LogEntry> entries) {
      List<byte[]> payloads = serialise(entries);
      byte[] head = head(payloads, payloads.size(), Instant.now());
      return LogAuditor.verify("test", frame(payloads), frame(List.of(head)), ca.certificate());
    }
  }

  static List<byte[]> serialise(List<LogEntry> entries) {
    List<byte[]> payloads = new ArrayList<>();
    entries.forEach(e -> payloads.add(DeterministicEncoding.of(e)));
    return payloads;
  }

  /** A message entry; from a site when the coordinator receives it. */
  static LogEntry message(
      long time,
      String study,
      int round,
      String rpc,
      String sender,
      String receiver,
      String outcome) {
    return LogEntry.newBuilder()
        .setTimeUnixMillis(time)
        .setStudyId(study)
        .setRound(round)
        .setMessage(
            ExchangedMessage.newBuilder()
                .setRpc(rpc)
                .setSender(sender)
                .setReceiver(receiver)
                .setPayloadSha256(ByteString.copyFrom(new byte[32]))
                .setPayloadSize(17)
                .setOutcome(outcome))
        .build();
  }
}
