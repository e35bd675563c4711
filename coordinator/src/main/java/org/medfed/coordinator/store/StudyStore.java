package org.medfed.coordinator.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.medfed.coordinator.round.StudyCheckpoint;
import org.medfed.crypto.aggregation.ModelEncoding;

/**
 * A study's checkpoints on local disk: the resumable state as JSON and every global model version
 * as little-endian float64. Every write goes to a temporary file, is fsynced and renamed, so a
 * crash leaves either the old or the new file, never a torn one.
 */
public final class StudyStore {
  private static final String STATE_FILE = "study-state.json";

  private final Path directory;
  private final ObjectMapper json =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  public StudyStore(Path directory) {
    this.directory = directory;
  }

  public Path directory() {
    return directory;
  }

  public Optional<StudyCheckpoint> load() {
    Path file = directory.resolve(STATE_FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(json.readValue(file.toFile(), StudyCheckpoint.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the study checkpoint " + file, e);
    }
  }

  public void save(StudyCheckpoint checkpoint) {
    try {
      writeAtomically(STATE_FILE, json.writeValueAsBytes(checkpoint));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the study checkpoint in " + directory, e);
    }
  }

  /** Stores a model version and returns the hex SHA-256 of the stored bytes. */
  public String saveModel(long version, double[] weights) {
    byte[] bytes = ModelEncoding.encode(weights);
    try {
      writeAtomically(modelFileName(version), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write model version " + version, e);
    }
    return sha256Hex(bytes);
  }

  /** Loads a model version, checking it against the digest recorded when it was stored. */
  public double[] loadModel(long version, String expectedSha256) {
    Path file = directory.resolve(modelFileName(version));
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model version " + version + " at " + file, e);
    }
    String actual = sha256Hex(bytes);
    if (!actual.equals(expectedSha256)) {
      throw new IllegalStateException(
          "model version "
              + version
              + " at "
              + file
              + " has SHA-256 "
              + actual
              + " but the checkpoint recorded "
              + expectedSha256
              + ": the file was altered");
    }
    return ModelEncoding.decode(bytes);
  }

  private static String modelFileName(long version) {
    return String.format("model-v%06d.bin", version);
  }

  private void writeAtomically(String name, byte[] content) throws IOException {
    AtomicFiles.write(directory, name, content);
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }
}
