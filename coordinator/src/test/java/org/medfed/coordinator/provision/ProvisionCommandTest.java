package org.medfed.coordinator.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.crypto.pki.PartyIdentity;
import org.medfed.crypto.pki.PartyRole;
import org.medfed.crypto.pki.Pem;

class ProvisionCommandTest {
  @TempDir Path temp;

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

  @Test
  void initWritesCaCoordinatorAndOneKitPerSite() throws Exception {
    Path pki = temp.resolve("pki");
    assertEquals(0, init(pki, "charite,hug"), err());
    assertEquals(
        Set.of(
            "ca/ca.crt.pem",
            "ca/ca.key.pem",
            "coordinator/coordinator.crt.pem",
            "coordinator/coordinator.key.pem",
            "coordinator/ca.crt.pem",
            "sites/charite/site.crt.pem",
            "sites/charite/site.key.pem",
            "sites/charite/ca.crt.pem",
            "sites/charite/site.yaml",
            "sites/hug/site.crt.pem",
            "sites/hug/site.key.pem",
            "sites/hug/ca.crt.pem",
            "sites/hug/site.yaml",
            "sites.txt"),
        hashes(pki).keySet());
    assertEquals("", err());
    assertTrue(out().contains("keep this folder offline"), out());
  }

  @Test
  void initSiteCertificatesChainToTheCaAndNameTheSite() throws Exception {
    Path pki = temp.resolve("pki");
    assertEquals(0, init(pki, "charite,hug"), err());
    X509Certificate ca = certificate(pki.resolve("ca/ca.crt.pem"));
    for (String siteId : List.of("charite", "hug")) {
      Path kit = pki.resolve("sites").resolve(siteId);
      X509Certificate site = certificate(kit.resolve("site.crt.pem"));
      site.verify(ca.getPublicKey());
      assertEquals(new PartyIdentity(siteId, PartyRole.SITE), PartyIdentity.of(site));
      assertEquals(ca, certificate(kit.resolve("ca.crt.pem")));
      assertKeyBelongsTo(kit.resolve("site.key.pem"), site);
    }
  }

  @Test
  void initCoordinatorCertificateChainsToTheCaAndCoversTheDialledHost() throws Exception {
    Path pki = temp.resolve("pki");
    int code =
        ProvisionCommand.run(
            List.of(
                "init",
                "--out",
                pki.toString(),
                "--consortium",
                "heart-study",
                "--coordinator-address",
                "coordinator.medfed.example:7443",
                "--sites",
                "charite",
                "--coordinator-dns",
                "localhost",
                "--coordinator-ip",
                "127.0.0.1"),
            outStream(),
            errStream());
    assertEquals(0, code, err());
    X509Certificate ca = certificate(pki.resolve("ca/ca.crt.pem"));
    X509Certificate coordinator = certificate(pki.resolve("coordinator/coordinator.crt.pem"));
    coordinator.verify(ca.getPublicKey());
    assertEquals(
        new PartyIdentity("coordinator", PartyRole.COORDINATOR), PartyIdentity.of(coordinator));
    assertEquals(
        Set.of(
            List.of(2, "coordinator.medfed.example"),
            List.of(2, "localhost"),
            List.of(7, "127.0.0.1")),
        Set.copyOf(coordinator.getSubjectAlternativeNames()));
    assertEquals(ca, certificate(pki.resolve("coordinator/ca.crt.pem")));
    assertKeyBelongsTo(pki.resolve("coordinator/coordinator.key.pem"), coordinator);
  }

  @Test
  void initPrivateKeysAreReadableByTheOwnerOnly() throws Exception {
    assumeTrue(temp.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path pki = temp.resolve("pki");
    assertEquals(0, init(pki, "charite"), err());
    Set<PosixFilePermission> ownerOnly =
        Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    for (String key :
        List.of("ca/ca.key.pem", "coordinator/coordinator.key.pem", "sites/charite/site.key.pem")) {
      assertEquals(ownerOnly, Files.getPosixFilePermissions(pki.resolve(key)), key);
    }
    assertTrue(
        Files.getPosixFilePermissions(pki.resolve("ca/ca.crt.pem"))
            .contains(PosixFilePermission.OWNER_READ));
  }

  @Test
  void siteYamlHasTheDocumentedShapeAndNamesTheCoordinator() throws Exception {
    Path pki = temp.resolve("pki");
    assertEquals(0, init(pki, "charite"), err());
    String yaml = Files.readString(pki.resolve("sites/charite/site.yaml"));
    assertEquals(
        """
        # MedFed site node configuration for site "charite". Edit the data and policy sections.
        coordinator: localhost:7443
        tls:
          certificate: site.crt.pem
          private-key: site.key.pem
          ca-certificate: ca.crt.pem
        data:
          connector: csv
          path: /data/records.csv        # your records; they never leave this site
          mapping: mapping.yaml          # maps your columns to the study's canonical names
        policy:
          allowed-model-types: [logistic-regression]
          allowed-columns: [age, sex, cp, trestbps, chol, fbs, restecg, thalach, exang, \
        oldpeak, num]
        state-dir: state
        """,
        yaml);
  }

  @Test
  void siteYamlCoordinatorReadsBackAsTheSameStringForAnyAddressForm() throws Exception {
    ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
    List<String> addresses = List.of("localhost:7443", "10.0.0.5:443", "[::1]:7443", "10:20");
    for (int i = 0; i < addresses.size(); i++) {
      String address = addresses.get(i);
      Path pki = temp.resolve("pki-" + i);
      int code =
          ProvisionCommand.run(
              List.of(
                  "init",
                  "--out",
                  pki.toString(),
                  "--consortium",
                  "heart-study",
                  "--coordinator-address",
                  address,
                  "--sites",
                  "charite"),
              outStream(),
              errStream());
      assertEquals(0, code, err());
      JsonNode config = mapper.readTree(pki.resolve("sites/charite/site.yaml").toFile());
      assertTrue(config.get("coordinator").isTextual(), address);
      assertEquals(address, config.get("coordinator").asText());
      assertEquals("site.key.pem", config.get("tls").get("private-key").asText());
      assertEquals(11, config.get("policy").get("allowed-columns").size());
    }
  }

  @Test
  void initRefusesANonEmptyOutputDirectoryAndLeavesItAlone() throws Exception {
    Path pki = Files.createDirectories(temp.resolve("pki"));
    Files.writeString(pki.resolve("notes.txt"), "keep me");
    assertEquals(1, init(pki, "charite"));
    assertTrue(err().contains("is not empty"), err());
    assertEquals(1, err().lines().count(), err());
    assertEquals(Set.of("notes.txt"), hashes(pki).keySet());
  }

  @Test
  void initAcceptsAnExistingEmptyDirectory() throws Exception {
    Path pki = Files.createDirectories(temp.resolve("pki"));
    assertEquals(0, init(pki, "charite"), err());
    assertTrue(Files.exists(pki.resolve("sites/charite/site.yaml")));
  }

  @Test
  void initRejectsABadSiteIdBeforeWritingAnything() throws Exception {
    Path pki = temp.resolve("pki");
    assertEquals(1, init(pki, "charite,St_Marys"));
    assertTrue(err().contains("\"St_Marys\""), err());
    assertTrue(err().contains("lowercase letter or digit"), err());
    assertFalse(Files.exists(pki));
  }

  @Test
  void initRejectsADuplicateSiteId() {
    assertEquals(1, init(temp.resolve("pki"), "charite,hug,charite"));
    assertTrue(err().contains("\"charite\" is listed more than once"), err());
  }

  @Test
  void initWithoutSitesIsAUsageError() {
    int code =
        ProvisionCommand.run(
            List.of(
                "init",
                "--out",
                temp.resolve("pki").toString(),
                "--consortium",
                "heart-study",
                "--coordinator-address",
                "localhost:7443"),
            outStream(),
            errStream());
    assertEquals(2, code);
    assertTrue(err().startsWith("provision: missing required option --sites"), err());
    assertTrue(err().contains("Usage:"), err());
  }

  @Test
  void initWithAMalformedCoordinatorAddressFails() {
    int code =
        ProvisionCommand.run(
            List.of(
                "init",
                "--out",
                temp.resolve("pki").toString(),
                "--consortium",
                "heart-study",
                "--coordinator-address",
                "localhost",
                "--sites",
                "charite"),
            outStream(),
            errStream());
    assertEquals(1, code);
    assertTrue(err().contains("is not HOST:PORT"), err());
    assertFalse(Files.exists(temp.resolve("pki")));
  }

  @Test
  void unknownOptionAndNonNumericValidityAreUsageErrors() {
    assertEquals(
        2,
        ProvisionCommand.run(
            List.of("add-site", "--pki", "x", "--site", "a", "--colour", "red"),
            outStream(),
            errStream()));
    assertTrue(err().contains("unknown option --colour"), err());
    assertEquals(
        2,
        ProvisionCommand.run(
            List.of(
                "add-site",
                "--pki",
                "x",
                "--site",
                "a",
                "--coordinator-address",
                "h:1",
                "--validity-days",
                "a year"),
            outStream(),
            errStream()));
    assertTrue(err().contains("must be a whole number"), err());
  }

  @Test
  void missingOrUnknownSubcommandIsAUsageError() {
    assertEquals(2, ProvisionCommand.run(List.of(), outStream(), errStream()));
    assertTrue(err().contains("missing subcommand"), err());
    assertEquals(2, ProvisionCommand.run(List.of("rotate"), outStream(), errStream()));
    assertTrue(err().contains("unknown subcommand \"rotate\""), err());
  }

  @Test
  void helpPrintsUsageAndSucceeds() {
    assertEquals(0, ProvisionCommand.run(List.of("--help"), outStream(), errStream()));
    assertTrue(out().contains("provision add-site --pki DIR"), out());
    assertEquals("", err());
  }

  @Test
  void addSiteIssuesAKitThatChainsToTheExistingCa() throws Exception {
    Path pki = temp.resolve("pki");
    assertEquals(0, init(pki, "charite"), err());
    assertEquals(0, addSite(pki, "karolinska"), err());
    Path kit = pki.resolve("sites/karolinska");
    X509Certificate ca = certificate(pki.resolve("ca/ca.crt.pem"));
    X509Certificate site = certificate(kit.resolve("site.crt.pem"));
    site.verify(ca.getPublicKey());
    assertEquals(new PartyIdentity("karolinska", PartyRole.SITE), PartyIdentity.of(site));
    assertEquals(ca, certificate(kit.resolve("ca.crt.pem")));
    assertKeyBelongsTo(kit.resolve("site.key.pem"), site);
    assertTrue(Files.readString(kit.resolve("site.yaml")).contains("site \"karolinska\""));
  }

  @Test
  void addSiteChangesNoOtherKitAndAddsTheSiteToTheMembers() throws Exception {
    Path pki = temp.resolve("pki");
    assertEquals(0, init(pki, "charite,hug"), err());
    Map<String, String> before = hashes(pki);
    before.remove("sites.txt");
    assertEquals(0, addSite(pki, "karolinska"), err());
    Map<String, String> after = hashes(pki);
    after.keySet().removeIf(file -> file.startsWith("sites/karolinska/"));
    after.remove("sites.txt");
    after.remove(".lock");
    assertEquals(before, after);
    assertTrue(
        Files.readAllLines(pki.resolve("sites.txt"))
            .containsAll(List.of("charite", "hug", "karolinska")));
  }

  @Test
  void addSiteRefusesAnExistingKitAndLeavesItAlone() throws Exception {
    Path pki = temp.resolve("pki");
    assertEquals(0, init(pki, "charite"), err());
    Map<String, String> before = hashes(pki);
    assertEquals(1, addSite(pki, "charite"));
    assertTrue(err().contains("already exists"), err());
    assertEquals(1, err().lines().count(), err());
    assertEquals(before, hashes(pki));
  }

  @Test
  void addSiteRejectsABadSiteId() throws Exception {
    Path pki = temp.resolve("pki");
    assertEquals(0, init(pki, "charite"), err());
    Map<String, String> before = hashes(pki);
    assertEquals(1, addSite(pki, "../escape"));
    assertTrue(err().contains("invalid site id \"../escape\""), err());
    assertEquals(before, hashes(pki));
  }

  @Test
  void addSiteWithoutACaSaysWhereItLooked() throws Exception {
    Path pki = Files.createDirectories(temp.resolve("empty"));
    assertEquals(1, addSite(pki, "karolinska"));
    assertTrue(err().contains("no consortium CA at"), err());
    assertTrue(err().contains("ca.crt.pem"), err());
    assertEquals(Set.of(), hashes(pki).keySet());
  }

  @Test
  void addSiteWithACorruptCaKeyFails() throws Exception {
    Path pki = temp.resolve("pki");
    assertEquals(0, init(pki, "charite"), err());
    Path key = pki.resolve("ca/ca.key.pem");
    Files.writeString(key, Files.readString(pki.resolve("sites/charite/site.key.pem")));
    assertEquals(1, addSite(pki, "karolinska"));
    assertTrue(err().contains("is unusable"), err());
    assertFalse(Files.exists(pki.resolve("sites/karolinska")));
  }

  @Test
  void addSiteWithoutSiteIsAUsageError() {
    assertEquals(
        2,
        ProvisionCommand.run(
            List.of("add-site", "--pki", temp.toString(), "--coordinator-address", "h:1"),
            outStream(),
            errStream()));
    assertTrue(err().contains("missing required option --site"), err());
  }

  private int init(Path out, String sites) {
    return ProvisionCommand.run(
        List.of(
            "init",
            "--out",
            out.toString(),
            "--consortium",
            "heart-study",
            "--coordinator-address",
            "localhost:7443",
            "--sites",
            sites),
        outStream(),
        errStream());
  }

  private int addSite(Path pki, String siteId) {
    return ProvisionCommand.run(
        List.of(
            "add-site",
            "--pki",
            pki.toString(),
            "--site",
            siteId,
            "--coordinator-address",
            "localhost:7443"),
        outStream(),
        errStream());
  }

  private PrintStream outStream() {
    return new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  }

  private PrintStream errStream() {
    errBytes.reset();
    return new PrintStream(errBytes, true, StandardCharsets.UTF_8);
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private static X509Certificate certificate(Path file) throws Exception {
    return Pem.parseCertificate(Files.readString(file));
  }

  private static void assertKeyBelongsTo(Path keyFile, X509Certificate certificate)
      throws Exception {
    byte[] message = "medfed".getBytes(StandardCharsets.UTF_8);
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(Pem.parsePrivateKey(Files.readString(keyFile)));
    signer.update(message);
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(certificate);
    verifier.update(message);
    assertTrue(verifier.verify(signer.sign()), keyFile + " does not match its certificate");
  }

  /** Relative path (with '/') to SHA-256 of every regular file under root. */
  private static Map<String, String> hashes(Path root) throws IOException {
    Map<String, String> hashes = new TreeMap<>();
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile).forEach(files::add);
    }
    for (Path file : files) {
      String relative = root.relativize(file).toString().replace('\\', '/');
      hashes.put(relative, sha256(Files.readAllBytes(file)));
    }
    return hashes;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
