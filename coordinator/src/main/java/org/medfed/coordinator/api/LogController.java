package org.medfed.coordinator.api;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.medfed.coordinator.CoordinatorNode;
import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.crypto.merkle.MerkleHashes;
import org.medfed.proto.v1.SignedTreeHead;

/**
 * The exchange log for auditors and sites: signed tree heads, raw entries (digests and decisions
 * only, never content) and the proofs that tie them together.
 */
@Controller("/api/log")
final class LogController {
  private static final int MAX_ENTRIES = 10_000;
  private final ExchangeLog log;

  LogController(CoordinatorNode node) {
    this.log = node.exchangeLog();
  }

  record TreeHead(String checkpoint, String signature) {}

  record Entry(long index, String leafHash, String entry) {}

  record Proof(long index, long oldSize, long treeSize, String rootHash, List<String> proof) {}

  record Error(String message) {}

  @Get("/tree-heads")
  List<TreeHead> treeHeads() throws IOException {
    return log.treeHeads().stream().map(LogController::treeHead).toList();
  }

  @Get("/tree-heads/latest")
  HttpResponse<?> latest() throws IOException {
    List<SignedTreeHead> heads = log.treeHeads();
    return heads.isEmpty()
        ? HttpResponse.notFound(new Error("no tree head has been signed yet"))
        : HttpResponse.ok(treeHead(heads.getLast()));
  }

  @Get("/entries")
  HttpResponse<?> entries(@QueryValue long from, @QueryValue long to) throws IOException {
    long size = log.treeSize();
    if (from < 0 || to > size || from > to || to - from > MAX_ENTRIES) {
      return HttpResponse.badRequest(
          new Error(
              "need 0 <= from <= to <= " + size + " and at most " + MAX_ENTRIES + " entries"));
    }
    List<Entry> entries = new ArrayList<>();
    long index = from;
    for (byte[] raw : log.rawEntries(from, to)) {
      entries.add(
          new Entry(
              index++,
              HexFormat.of().formatHex(MerkleHashes.leafHash(raw)),
              Base64.getEncoder().encodeToString(raw)));
    }
    return HttpResponse.ok(entries);
  }

  @Get("/proofs/inclusion")
  HttpResponse<?> inclusion(@QueryValue long index, @QueryValue long treeSize) {
    if (treeSize < 1 || treeSize > log.treeSize() || index < 0 || index >= treeSize) {
      return HttpResponse.badRequest(new Error("need 0 <= index < treeSize <= " + log.treeSize()));
    }
    return HttpResponse.ok(
        new Proof(
            index,
            0,
            treeSize,
            hex(log.rootHash(treeSize)),
            hexAll(log.inclusionProof(index, treeSize))));
  }

  @Get("/proofs/consistency")
  HttpResponse<?> consistency(@QueryValue long oldSize, @QueryValue long treeSize) {
    if (oldSize < 0 || oldSize > treeSize || treeSize > log.treeSize()) {
      return HttpResponse.badRequest(
          new Error("need 0 <= oldSize <= treeSize <= " + log.treeSize()));
    }
    return HttpResponse.ok(
        new Proof(
            0,
            oldSize,
            treeSize,
            hex(log.rootHash(treeSize)),
            hexAll(log.consistencyProof(oldSize, treeSize))));
  }

  private static TreeHead treeHead(SignedTreeHead head) {
    return new TreeHead(
        head.getCheckpoint().toStringUtf8(),
        Base64.getEncoder().encodeToString(head.getSignature().toByteArray()));
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static List<String> hexAll(List<byte[]> hashes) {
    return hashes.stream().map(LogController::hex).toList();
  }
}
