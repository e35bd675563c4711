package org.medfed.site.privacy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.medfed.crypto.dp.RdpAccountant;
import org.medfed.crypto.dp.RdpConversion;
import org.medfed.crypto.dp.SampledGaussian;
import org.medfed.site.state.StateFiles;

/**
 * The site's own account of the privacy it has spent, enforced by the site whatever a coordinator
 * asks.
 *
 * <p>Every round trained with DP-SGD is charged here before its update leaves the site; the Rényi
 * DP of all charges composes (steps of all rounds and studies add up, since they all touch the same
 * records) and is converted to epsilon at the cap's delta with the conversion of Balle et al.
 * (2020). A round that would take epsilon above the cap is declined instead.
 *
 * <p>The ledger lives in {@value #FILE_NAME} in the site's state directory, rewritten atomically
 * (temporary file, fsync, rename, fsync of the directory) on every charge, so a crash leaves either
 * the old or the new ledger, never a torn one; a restart reloads it and continues. A ledger file
 * that cannot be read stops the site rather than starting again from zero.
 */
public final class PrivacyLedger {
  /** The ledger's file name inside the state directory. */
  public static final String FILE_NAME = "privacy-ledger.json";

  private static final int FORMAT = 1;
  private static final RdpConversion CONVERSION = RdpConversion.BALLE_2020;

  private final Path file;
  private final PrivacyCap cap;
  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final List<PrivacyCharge> charges;
  private RdpAccountant accountant;

  private PrivacyLedger(Path file, PrivacyCap cap, List<PrivacyCharge> charges) {
    this.file = file;
    this.cap = cap;
    this.charges = charges;
    RdpAccountant composed = RdpAccountant.create();
    for (PrivacyCharge c : charges) {
      composed =
          composed.plus(new SampledGaussian(c.samplingRate(), c.noiseMultiplier()), c.steps());
    }
    this.accountant = composed;
  }

  /**
   * Opens the ledger in {@code stateDir}, creating an empty one if there is none.
   *
   * @param cap the cap from the site's policy; charges made under another cap still count
   * @param records how many records the site trains on; the cap's delta must be below 1 / records
   * @throws IllegalArgumentException if delta is not below 1 / records
   * @throws UncheckedIOException if the ledger exists but cannot be read or is not valid
   */
  public static PrivacyLedger open(Path stateDir, PrivacyCap cap, long records) {
    if (stateDir == null || cap == null) {
      throw new NullPointerException("stateDir and cap are required");
    }
    if (records < 1) {
      throw new IllegalArgumentException("records must be at least 1, got " + records);
    }
    if (cap.delta() * records >= 1.0) {
      throw new IllegalArgumentException(
          "privacy cap delta "
              + cap.delta()
              + " must be below 1/"
              + records
              + " (one over the site's "
              + records
              + " records), or a whole record could leak with probability delta");
    }
    Path file = stateDir.resolve(FILE_NAME);
    try {
      Files.createDirectories(stateDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the state directory " + stateDir, e);
    }
    List<PrivacyCharge> charges = Files.exists(file) ? read(file) : new ArrayList<>();
    return new PrivacyLedger(file, cap, charges);
  }

  /** The cap this ledger enforces. */
  public PrivacyCap cap() {
    return cap;
  }

  /** Every charge so far, oldest first. */
  public synchronized List<PrivacyCharge> charges() {
    return List.copyOf(charges);
  }

  /** Epsilon spent so far, at the cap's delta. */
  public synchronized double epsilonSpent() {
    return accountant.privacySpent(cap.delta(), CONVERSION).epsilon();
  }

  /** Epsilon at the cap's delta after {@code steps} more steps of {@code mechanism}. */
  public synchronized double epsilonAfter(SampledGaussian mechanism, long steps) {
    requireSteps(steps);
    return accountant.plus(mechanism, steps).privacySpent(cap.delta(), CONVERSION).epsilon();
  }

  /**
   * Why a round of {@code steps} steps of {@code mechanism} must be declined, if it must: one
   * sentence naming the cap and the epsilon the round would reach, safe to send to the coordinator
   * (it says nothing about any record).
   */
  public synchronized Optional<String> wouldExceed(SampledGaussian mechanism, long steps) {
    double after = epsilonAfter(mechanism, steps);
    if (after <= cap.epsilon()) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            Locale.ROOT,
            "this round would bring the site's privacy loss to epsilon %.4f, above its cap of"
                + " epsilon %s at delta %s (spent so far: %.4f)",
            after,
            cap.epsilon(),
            cap.delta(),
            epsilonSpent()));
  }

  /**
   * Records a round and persists the ledger before returning; call it before the round's update
   * leaves the site.
   *
   * @throws IllegalStateException with {@link #wouldExceed}'s reason if the round would cross the
   *     cap; nothing is recorded then
   * @throws UncheckedIOException if the ledger cannot be written; the charge is then not recorded
   *     and the round must not be sent
   */
  public synchronized PrivacyCharge charge(
      String study, long round, SampledGaussian mechanism, long steps) {
    if (study == null || study.isBlank()) {
      throw new IllegalArgumentException("a privacy charge needs a study id");
    }
    if (round < 0) {
      throw new IllegalArgumentException("round must be at least 0, got " + round);
    }
    Optional<String> refusal = wouldExceed(mechanism, steps);
    if (refusal.isPresent()) {
      throw new IllegalStateException(refusal.get());
    }
    RdpAccountant next = accountant.plus(mechanism, steps);
    PrivacyCharge charge =
        new PrivacyCharge(
            study,
            round,
            steps,
            mechanism.samplingRate(),
            mechanism.noiseMultiplier(),
            next.privacySpent(cap.delta(), CONVERSION).epsilon(),
            cap.delta(),
            Instant.now());
    List<PrivacyCharge> updated = new ArrayList<>(charges);
    updated.add(charge);
    write(updated);
    charges.add(charge);
    accountant = next;
    return charge;
  }

  private static void requireSteps(long steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be at least 1, got " + steps);
    }
  }

  private void write(List<PrivacyCharge> all) {
    ObjectNode root = json.createObjectNode();
    root.put("format", FORMAT);
    ObjectNode capNode = root.putObject("cap");
    capNode.put("epsilon", cap.epsilon());
    capNode.put("delta", cap.delta());
    ArrayNode list = root.putArray("charges");
    for (PrivacyCharge c : all) {
      ObjectNode node = list.addObject();
      node.put("study", c.study());
      node.put("round", c.round());
      node.put("steps", c.steps());
      node.put("sampling_rate", c.samplingRate());
      node.put("noise_multiplier", c.noiseMultiplier());
      node.put("epsilon_spent", c.epsilonSpent());
      node.put("delta", c.delta());
      node.put("time", c.time().toString());
    }
    try {
      StateFiles.replace(file, json.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the privacy ledger " + file, e);
    }
  }

  private static List<PrivacyCharge> read(Path file) {
    try {
      JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(file));
      if (root == null || root.path("format").asInt(-1) != FORMAT) {
        throw new IOException("it is not a format-" + FORMAT + " privacy ledger");
      }
      JsonNode list = root.path("charges");
      if (!list.isArray()) {
        throw new IOException("it has no list of charges");
      }
      List<PrivacyCharge> charges = new ArrayList<>();
      for (JsonNode node : list) {
        charges.add(
            new PrivacyCharge(
                text(node, "study"),
                number(node, "round").longValue(),
                number(node, "steps").longValue(),
                number(node, "sampling_rate").doubleValue(),
                number(node, "noise_multiplier").doubleValue(),
                number(node, "epsilon_spent").doubleValue(),
                number(node, "delta").doubleValue(),
                Instant.parse(text(node, "time"))));
        // Validates the recorded mechanism as the accountant will use it.
        new SampledGaussian(charges.getLast().samplingRate(), charges.getLast().noiseMultiplier());
      }
      return charges;
    } catch (IOException | RuntimeException e) {
      String detail =
          e instanceof JsonProcessingException parse ? parse.getOriginalMessage() : e.getMessage();
      throw new UncheckedIOException(
          "cannot read the privacy ledger " + file + ": " + detail,
          e instanceof IOException io ? io : new IOException(e));
    }
  }

  private static JsonNode number(JsonNode node, String field) throws IOException {
    JsonNode value = node.get(field);
    if (value == null || !value.isNumber()) {
      throw new IOException("a charge has no numeric '" + field + "'");
    }
    return value;
  }

  private static String text(JsonNode node, String field) throws IOException {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IOException("a charge has no text '" + field + "'");
    }
    return value.asText();
  }
}
