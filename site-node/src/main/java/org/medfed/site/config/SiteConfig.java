package org.medfed.site.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.medfed.site.policy.LocalPolicy;
import org.medfed.site.privacy.PrivacyCap;

/**
 * A site node's configuration, read from {@code site.yaml}.
 *
 * @param file the configuration file it was read from
 * @param coordinatorAddress the coordinator as {@code host:port}
 * @param tls the mutual-TLS files
 * @param data the site's data source
 * @param policy what the site allows
 * @param privacyCap the most privacy loss all studies together may cost the site's records, or null
 *     when the site sets none (it then also accepts studies without differential privacy)
 * @param stateDir where the node keeps its state
 */
public record SiteConfig(
    Path file,
    String coordinatorAddress,
    TlsFiles tls,
    DataSource data,
    LocalPolicy policy,
    PrivacyCap privacyCap,
    Path stateDir) {

  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\]");
  private static final Set<String> ROOT_KEYS =
      Set.of("coordinator", "tls", "data", "policy", "state-dir");
  private static final Set<String> TLS_KEYS =
      Set.of("certificate", "private-key", "ca-certificate");
  private static final Set<String> DATA_KEYS =
      Set.of("connector", "path", "mapping", "split-file", "split-center");
  private static final Set<String> POLICY_KEYS =
      Set.of("allowed-model-types", "allowed-columns", "privacy-cap");

  public SiteConfig {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(stateDir, "stateDir");
    if (coordinatorAddress == null || port(coordinatorAddress) < 0) {
      throw new IllegalArgumentException(
          "coordinatorAddress must be host:port, got '" + coordinatorAddress + "'");
    }
  }

  /**
   * Reads and validates a configuration file. Relative paths are resolved against the folder that
   * holds the file; referenced files must exist and be readable.
   */
  public static SiteConfig load(Path yamlFile) throws ConfigException {
    return load(yamlFile, false);
  }

  /**
   * Reads and validates a configuration file for {@code medfed-site enrol}: as {@link #load},
   * except that {@code tls.certificate} and {@code tls.private-key} need not exist yet (enrolment
   * creates them); their folders must.
   */
  public static SiteConfig loadForEnrolment(Path yamlFile) throws ConfigException {
    return load(yamlFile, true);
  }

  private static SiteConfig load(Path yamlFile, boolean enrolling) throws ConfigException {
    Path file = yamlFile.toAbsolutePath().normalize();
    String name = String.valueOf(file.getFileName());
    Path folder = file.getParent();
    if (!Files.exists(file)) {
      throw new ConfigException("configuration file " + file + " does not exist");
    }
    JsonNode root;
    try {
      YAMLMapper yaml =
          YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
      root = yaml.readTree(file.toFile());
    } catch (JacksonException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new ConfigException(
          name + " is not valid YAML" + where + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ConfigException(
          "cannot read configuration file " + file + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException(
          name
              + " must be a YAML mapping with the keys "
              + String.join(", ", new TreeSet<>(ROOT_KEYS)));
    }
    YamlSection top = new YamlSection(name, "", root);
    top.rejectUnknownKeys(ROOT_KEYS);

    String coordinator = top.text("coordinator");
    if (port(coordinator) < 0) {
      throw top.error(
          "coordinator must be host:port with a port from 1 to 65535, got '" + coordinator + "'");
    }

    YamlSection tlsSection = top.section("tls");
    tlsSection.rejectUnknownKeys(TLS_KEYS);
    TlsFiles tls =
        new TlsFiles(
            enrolling
                ? fileToCreate(tlsSection, "certificate", folder)
                : readableFile(tlsSection, "certificate", folder),
            enrolling
                ? fileToCreate(tlsSection, "private-key", folder)
                : readableFile(tlsSection, "private-key", folder),
            readableFile(tlsSection, "ca-certificate", folder));

    YamlSection dataSection = top.section("data");
    dataSection.rejectUnknownKeys(DATA_KEYS);
    String connector = dataSection.text("connector");
    if (!connector.equals("csv")) {
      throw dataSection.error(
          "data.connector must be 'csv', the only connector, not '" + connector + "'");
    }
    Path dataPath = readableFile(dataSection, "path", folder);
    Path mapping = readableFile(dataSection, "mapping", folder);
    boolean hasSplitFile = dataSection.optionalText("split-file") != null;
    String splitCenter = dataSection.optionalText("split-center");
    if (hasSplitFile != (splitCenter != null)) {
      throw dataSection.error(
          hasSplitFile
              ? "data.split-file is set, so data.split-center must name this site's centre in it"
              : "data.split-center is set, but data.split-file is not");
    }
    Path splitFile = hasSplitFile ? readableFile(dataSection, "split-file", folder) : null;
    DataSource data = new DataSource(connector, dataPath, mapping, splitFile, splitCenter);

    YamlSection policySection = top.section("policy");
    policySection.rejectUnknownKeys(POLICY_KEYS);
    LocalPolicy policy =
        new LocalPolicy(
            new LinkedHashSet<>(policySection.textList("allowed-model-types")),
            new LinkedHashSet<>(policySection.textList("allowed-columns")));

    PrivacyCap privacyCap = null;
    if (policySection.has("privacy-cap")) {
      YamlSection cap = policySection.section("privacy-cap");
      cap.rejectUnknownKeys(Set.of("epsilon", "delta"));
      try {
        privacyCap = new PrivacyCap(cap.number("epsilon"), cap.number("delta"));
      } catch (IllegalArgumentException e) {
        throw cap.error("policy." + e.getMessage());
      }
    }

    Path stateDir = folder.resolve(top.text("state-dir")).normalize();
    if (Files.exists(stateDir) && !Files.isDirectory(stateDir)) {
      throw top.error("state-dir points at " + stateDir + ", which is not a directory");
    }
    return new SiteConfig(file, coordinator, tls, data, policy, privacyCap, stateDir);
  }

  /** Returns the port of a {@code host:port} address, or -1 if it is not one. */
  static int port(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || !HOST.matcher(address.substring(0, colon)).matches()) {
      return -1;
    }
    String port = address.substring(colon + 1);
    if (!port.matches("[0-9]{1,5}")) {
      return -1;
    }
    int p = Integer.parseInt(port);
    return p >= 1 && p <= 65535 ? p : -1;
  }

  private static Path fileToCreate(YamlSection section, String key, Path folder)
      throws ConfigException {
    Path path = folder.resolve(section.text(key)).normalize();
    Path parent = path.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw section.error(
          section.key(key) + " points at " + path + ", whose folder does not exist");
    }
    return path;
  }

  private static Path readableFile(YamlSection section, String key, Path folder)
      throws ConfigException {
    Path path = folder.resolve(section.text(key)).normalize();
    String problem = null;
    if (!Files.exists(path)) {
      problem = "does not exist";
    } else if (!Files.isRegularFile(path)) {
      problem = "is not a regular file";
    } else if (!Files.isReadable(path)) {
      problem = "is not readable";
    }
    if (problem != null) {
      throw section.error(section.key(key) + " points at " + path + ", which " + problem);
    }
    return path;
  }
}
