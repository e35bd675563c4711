package org.medfed.auditor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medfed.crypto.pki.Pem;
import org.medfed.crypto.pki.PkiException;

/**
 * {@code medfed-audit verify --log DIR --ca CA.pem [--json FILE]}: verifies the exchange log in DIR
 * ({@code exchange.log} and {@code tree-heads.log}) against the consortium CA, prints a
 * human-readable report and optionally writes it as JSON. Exit status: 0 when every check passed or
 * was skipped, 1 when a check failed, 2 for a usage error (one sentence on standard error).
 */
public final class AuditMain {
  static final String USAGE =
      "medfed-audit verify --log DIR --ca CA.pem [--receipts DIR ...] [--json FILE]";
  static final int VERIFIED = 0;
  static final int FAILED = 1;
  static final int USAGE_ERROR = 2;
  private static final Set<String> OPTIONS = Set.of("--log", "--ca", "--json", "--receipts");

  private AuditMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command and returns its exit status; prints to the given streams only. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      return verify(args, out);
    } catch (UsageException e) {
      err.println("medfed-audit: " + e.getMessage() + "; usage: " + USAGE);
      return USAGE_ERROR;
    }
  }

  private static int verify(String[] args, PrintStream out) throws UsageException {
    if (args.length == 0) {
      throw new UsageException("no command given");
    }
    if (Set.of("--help", "-h", "help").contains(args[0])) {
      out.println("usage: " + USAGE);
      out.println(
          "Verifies DIR/exchange.log and DIR/tree-heads.log against the consortium CA; exit 0 when"
              + " every check passes or is skipped, 1 when one fails, 2 for usage errors.");
      return VERIFIED;
    }
    if (!args[0].equals("verify")) {
      throw new UsageException("unknown command \"" + args[0] + "\"");
    }
    List<Path> receipts = new ArrayList<>();
    Map<String, String> options = options(args, receipts);
    for (Path folder : receipts) {
      if (!Files.isDirectory(folder)) {
        throw new UsageException("--receipts " + folder + " is not a directory");
      }
    }
    if (!options.containsKey("--log")) {
      throw new UsageException("--log DIR is required");
    }
    if (!options.containsKey("--ca")) {
      throw new UsageException("--ca CA.pem is required");
    }
    Path directory = Path.of(options.get("--log"));
    if (!Files.isDirectory(directory)) {
      throw new UsageException("--log " + directory + " is not a directory");
    }
    for (String file : new String[] {LogFiles.EXCHANGE_LOG, LogFiles.TREE_HEADS}) {
      if (!Files.isReadable(directory.resolve(file))) {
        throw new UsageException("--log " + directory + " holds no readable " + file);
      }
    }
    X509Certificate ca = readCa(Path.of(options.get("--ca")));
    Path json = options.containsKey("--json") ? Path.of(options.get("--json")) : null;
    if (json != null) {
      Path parent = json.toAbsolutePath().getParent();
      if (Files.isDirectory(json) || parent == null || !Files.isDirectory(parent)) {
        throw new UsageException("--json " + json + " is not a file in an existing directory");
      }
    }
    AuditReport report;
    try {
      report = LogAuditor.verify(directory, ca, receipts);
    } catch (IOException e) {
      throw new UsageException("cannot read the log in " + directory + " (" + e.getMessage() + ")");
    }
    out.print(report.toText());
    if (json != null) {
      try {
        Files.writeString(json, report.toJson(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UsageException("cannot write --json " + json + " (" + e.getMessage() + ")");
      }
    }
    return report.passed() ? VERIFIED : FAILED;
  }

  /**
   * Single-valued options; {@code --receipts} may be given once per site, into {@code receipts}.
   */
  private static Map<String, String> options(String[] args, List<Path> receipts)
      throws UsageException {
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        name = arg.substring(0, equals);
        value = arg.substring(equals + 1);
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        value = args[++i];
      } else {
        value = null;
      }
      if (!OPTIONS.contains(name)) {
        throw new UsageException("unknown option \"" + name + "\"");
      }
      if (value == null || value.isEmpty()) {
        throw new UsageException("option " + name + " needs a value");
      }
      if (name.equals("--receipts")) {
        receipts.add(Path.of(value));
        continue;
      }
      if (options.put(name, value) != null) {
        throw new UsageException("option " + name + " is given twice");
      }
    }
    return options;
  }

  private static X509Certificate readCa(Path file) throws UsageException {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UsageException("cannot read --ca " + file);
    }
    try {
      return Pem.parseCertificate(pem);
    } catch (PkiException e) {
      throw new UsageException(
          "--ca " + file + " is not a PEM certificate (" + e.getMessage() + ")");
    }
  }

  /** A command line that cannot run; the message is one sentence without a final full stop. */
  private static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
