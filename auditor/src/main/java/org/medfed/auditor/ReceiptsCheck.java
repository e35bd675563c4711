package org.medfed.auditor;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.medfed.auditor.LogAuditor.AuditedEntry;
import org.medfed.auditor.LogAuditor.AuditedHead;
import org.medfed.proto.v1.LogEntry;

/**
 * {@code receipts}: what the sites hold is in the log. Each site keeps, in its {@code
 * state-dir/receipts}, every entry the coordinator receipted to it ({@code receipts.txt}: index,
 * rpc, the entry, the tree size it was proved against) and every signed tree head it verified
 * ({@code heads.txt}). Every receipted entry must be the log's entry at that index, byte for byte,
 * and every head a site saw must be one of the log's signed heads — so a coordinator that removed
 * or altered a receipted entry, or showed a site a head it did not keep, is caught.
 */
final class ReceiptsCheck {
  static final String NAME = "receipts";

  private ReceiptsCheck() {}

  /**
   * @param log the exchange log, to read each receipted entry from
   */
  static CheckResult run(List<Path> folders, FramedLog log, List<AuditedHead> heads) {
    if (folders.isEmpty()) {
      return CheckResult.skipped(
          NAME, "no --receipts folder given (a site keeps them in its state-dir/receipts)");
    }
    Set<String> logHeads = new HashSet<>();
    heads.forEach(
        h ->
            logHeads.add(
                Base64.getEncoder().encodeToString(h.head().getCheckpoint().toByteArray())));
    List<Finding> failures = new ArrayList<>();
    int receipts = 0;
    int seenHeads = 0;
    for (Path given : folders) {
      Path folder =
          Files.isDirectory(given.resolve("receipts")) ? given.resolve("receipts") : given;
      Path receiptFile = folder.resolve("receipts.txt");
      Path headFile = folder.resolve("heads.txt");
      if (!Files.isRegularFile(headFile)) {
        failures.add(Finding.of(folder + " holds no heads.txt: not a site's receipts folder"));
        continue;
      }
      try {
        int line = 0;
        for (String text :
            Files.isRegularFile(receiptFile)
                ? Files.readAllLines(receiptFile)
                : List.<String>of()) {
          line++;
          String[] fields = text.split(" ");
          String where = receiptFile + " line " + line;
          if (fields.length != 4) {
            failures.add(Finding.of(where + ": expected 4 fields, found " + fields.length));
            continue;
          }
          receipts++;
          long index = Long.parseLong(fields[0]);
          LogEntry held = LogEntry.parseFrom(Base64.getDecoder().decode(fields[2]));
          LogEntry logged = log.read(index).map(AuditedEntry::entry).orElse(null);
          if (logged == null) {
            failures.add(Finding.of(where + ": receipted entry " + index + " is not in the log"));
          } else if (!logged.equals(held)) {
            failures.add(
                Finding.of(
                    where + ": the log's entry " + index + " differs from the receipted one"));
          }
        }
        line = 0;
        for (String text : Files.readAllLines(headFile)) {
          line++;
          seenHeads++;
          String checkpoint = text.split(" ")[0];
          if (!logHeads.contains(checkpoint)) {
            failures.add(
                Finding.of(
                    headFile
                        + " line "
                        + line
                        + ": the site verified a tree head that is not among the log's signed"
                        + " heads (a forked or rewritten history)"));
          }
        }
      } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
        failures.add(Finding.of(folder + ": unreadable receipt: " + e.getMessage()));
      } catch (IOException e) {
        failures.add(Finding.of(folder + " cannot be read: " + e.getMessage()));
      }
    }
    return CheckResult.of(
        NAME,
        receipts
            + " receipts and "
            + seenHeads
            + " tree heads held by "
            + folders.size()
            + (folders.size() == 1 ? " site" : " sites")
            + " checked against the log",
        failures,
        List.of());
  }
}
