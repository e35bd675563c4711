package org.medfed.crypto.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * The consortium's root certificate authority: ECDSA P-256, SHA256withECDSA. It issues the
 * coordinator's TLS certificate and one client certificate per site (with a key it generates, for a
 * startup kit, or for the key of a site's {@link CertificateRequest}), and signs the {@link
 * RevocationList}; the certificate's CN and OU are the holder's {@link PartyIdentity}.
 *
 * <p>Issued certificates never outlive the CA: a requested validity past the CA's expiry is cut at
 * the CA's expiry. Instances are immutable and safe to share between threads.
 */
public final class CertificateAuthority {
  static final String SITE_URN_PREFIX = "urn:medfed:site:";

  /**
   * Certificates start slightly in the past so that a hospital whose clock runs a few minutes
   * behind can still use a freshly issued certificate.
   */
  private static final Duration CLOCK_SKEW_ALLOWANCE = Duration.ofMinutes(5);

  private static final int SERIAL_BITS = 128;
  private static final Pattern DNS_NAME =
      Pattern.compile(
          "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
              + "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final String ORGANIZATION_PREFIX = "MedFed consortium ";
  private static final String ROOT_SUFFIX = " Root CA";

  private final X509Certificate certificate;
  private final PrivateKey privateKey;
  private final SecureRandom random;
  // A private instance: signing goes through BouncyCastle without installing it JVM-wide.
  private final Provider provider;

  private CertificateAuthority(
      X509Certificate certificate, PrivateKey privateKey, SecureRandom random, Provider provider) {
    this.certificate = certificate;
    this.privateKey = privateKey;
    this.random = random;
    this.provider = provider;
  }

  /**
   * Creates a self-signed root: CN={@code <consortiumName> Root CA}, O={@code MedFed consortium
   * <consortiumName>}, path length 0 (it signs leaf certificates only).
   *
   * @throws IllegalArgumentException if the name is blank, has control characters, or is too long
   *     for the subject attributes, or the validity is not positive
   */
  public static CertificateAuthority create(String consortiumName, Duration validity) {
    Names.requireCommonName("consortium name", consortiumName);
    int maxName = Names.MAX_COMMON_NAME - ORGANIZATION_PREFIX.length();
    if (consortiumName.length() > maxName) {
      throw new IllegalArgumentException(
          "consortium name \"" + consortiumName + "\" is longer than " + maxName + " characters");
    }
    requirePositive(validity);
    SecureRandom random = new SecureRandom();
    Provider provider = new BouncyCastleProvider();
    KeyPair keys = KeyPairs.generateP256(random);
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, ORGANIZATION_PREFIX + consortiumName)
            .addRDN(BCStyle.CN, consortiumName + ROOT_SUFFIX)
            .build();
    Instant now = Instant.now();
    Instant notBefore = now.minus(CLOCK_SKEW_ALLOWANCE);
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            subject,
            serial(random),
            Date.from(notBefore),
            Date.from(now.plus(validity)),
            subject,
            keys.getPublic());
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(
              Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(
              Extension.subjectKeyIdentifier,
              false,
              utils.createSubjectKeyIdentifier(keys.getPublic()));
    } catch (CertIOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot encode CA certificate extensions", e);
    }
    X509Certificate root = sign(builder, keys.getPrivate(), provider);
    return new CertificateAuthority(root, keys.getPrivate(), random, provider);
  }

  /**
   * Loads a CA from its certificate and PKCS#8 private key.
   *
   * @throws PkiException if either text is not valid PEM, the certificate is not a CA certificate
   *     allowed to sign certificates, or the key is not the P-256 key of that certificate
   */
  public static CertificateAuthority fromPem(String caCertificatePem, String caPrivateKeyPem)
      throws PkiException {
    X509Certificate certificate = Pem.parseCertificate(caCertificatePem);
    PrivateKey privateKey = Pem.parsePrivateKey(caPrivateKeyPem);
    if (certificate.getBasicConstraints() < 0) {
      throw new PkiException(
          "certificate " + subjectOf(certificate) + " is not a CA certificate (BasicConstraints)");
    }
    boolean[] usage = certificate.getKeyUsage();
    if (usage != null && !usage[5]) {
      throw new PkiException(
          "CA certificate " + subjectOf(certificate) + " does not allow keyCertSign");
    }
    if (!KeyPairs.isP256(privateKey)) {
      throw new PkiException("CA private key must be an EC P-256 key");
    }
    if (!KeyPairs.matches(privateKey, certificate.getPublicKey())) {
      throw new PkiException(
          "CA private key does not match the public key of " + subjectOf(certificate));
    }
    return new CertificateAuthority(
        certificate, privateKey, new SecureRandom(), new BouncyCastleProvider());
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public String certificatePem() {
    return Pem.encode(certificate);
  }

  /** Unencrypted PKCS#8 PEM of the CA key: the consortium keeps it offline. */
  public String privateKeyPem() {
    return Pem.encode(privateKey);
  }

  /**
   * Issues the coordinator's TLS certificate, usable as server and as client, with the given DNS
   * names and IP addresses as subject alternative names (at least one is needed for hostname
   * verification).
   *
   * @throws IllegalArgumentException if the name is invalid, there is no SAN entry, a DNS name or
   *     IP literal is malformed, or the validity is not positive
   */
  public IssuedCredential issueCoordinator(
      String coordinatorName, List<String> dnsNames, List<String> ipAddresses, Duration validity) {
    Names.requireCommonName("coordinator name", coordinatorName);
    Objects.requireNonNull(dnsNames, "dnsNames");
    Objects.requireNonNull(ipAddresses, "ipAddresses");
    requirePositive(validity);
    List<GeneralName> names = new ArrayList<>();
    for (String dns : dnsNames) {
      if (dns == null || !DNS_NAME.matcher(dns).matches()) {
        throw new IllegalArgumentException(
            "invalid DNS name \"" + dns + "\": must be dot-separated letters, digits and hyphens");
      }
      names.add(new GeneralName(GeneralName.dNSName, dns));
    }
    for (String ip : ipAddresses) {
      if (ip == null || !IPAddress.isValid(ip)) {
        throw new IllegalArgumentException(
            "invalid IP address \"" + ip + "\": must be an IPv4 or IPv6 literal");
      }
      names.add(new GeneralName(GeneralName.iPAddress, ip));
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException(
          "the coordinator certificate needs at least one DNS name or IP address");
    }
    return issue(
        coordinatorName,
        PartyRole.COORDINATOR,
        names,
        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth},
        validity);
  }

  /**
   * Issues a site's TLS client certificate: CN is the site id, and the SAN URI {@code
   * urn:medfed:site:<siteId>} names it too.
   *
   * @throws IllegalArgumentException if the site id breaks the site id rule or the validity is not
   *     positive
   */
  public IssuedCredential issueSite(String siteId, Duration validity) {
    Names.requireSiteId(siteId);
    requirePositive(validity);
    return issue(
        siteId,
        PartyRole.SITE,
        List.of(new GeneralName(GeneralName.uniformResourceIdentifier, SITE_URN_PREFIX + siteId)),
        new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth},
        validity);
  }

  /**
   * Issues a site's TLS client certificate for the key in a checked certificate request, exactly as
   * {@link #issueSite(String, Duration)} would (same subject, extensions and SAN), except that the
   * site made the key pair and keeps the private key. The request's own subject and attributes are
   * not copied: only its site id and key are used.
   *
   * @throws IllegalArgumentException if the validity is not positive
   */
  public X509Certificate issueSite(CertificateRequest request, Duration validity) {
    Objects.requireNonNull(request, "request");
    requirePositive(validity);
    String siteId = request.siteId();
    return issue(
        siteId,
        PartyRole.SITE,
        List.of(new GeneralName(GeneralName.uniformResourceIdentifier, SITE_URN_PREFIX + siteId)),
        new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth},
        validity,
        request.publicKey());
  }

  /**
   * Signs a revocation list holding exactly the given revocations.
   *
   * @param number the CRL number; each new list must have a larger one than the last
   * @param thisUpdate when the list is issued
   * @param nextUpdate when the consortium promises the next list at the latest
   * @throws IllegalArgumentException if a serial appears twice, the number is negative, or {@code
   *     nextUpdate} is not after {@code thisUpdate}
   */
  public RevocationList revocationList(
      Collection<Revocation> revocations, long number, Instant thisUpdate, Instant nextUpdate) {
    Objects.requireNonNull(revocations, "revocations");
    Objects.requireNonNull(thisUpdate, "thisUpdate");
    Objects.requireNonNull(nextUpdate, "nextUpdate");
    if (number < 0) {
      throw new IllegalArgumentException("CRL number must not be negative, was " + number);
    }
    if (!nextUpdate.isAfter(thisUpdate)) {
      throw new IllegalArgumentException("nextUpdate must be after thisUpdate");
    }
    X500Name issuer = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    X509v2CRLBuilder builder = new X509v2CRLBuilder(issuer, Date.from(thisUpdate));
    builder.setNextUpdate(Date.from(nextUpdate));
    Set<BigInteger> serials = new HashSet<>();
    try {
      for (Revocation revocation : revocations) {
        if (!serials.add(revocation.serial())) {
          throw new IllegalArgumentException(
              "serial " + revocation.serialHex() + " is revoked twice in one list");
        }
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(
            RevocationList.MEDFED_REVOCATION, false, RevocationList.extensionValue(revocation));
        builder.addCRLEntry(
            revocation.serial(), Date.from(revocation.revokedAt()), extensions.generate());
      }
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder
          .addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(number)))
          .addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier(utils));
      ContentSigner signer =
          new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM)
              .setProvider(provider)
              .build(privateKey);
      X509CRL crl = new JcaX509CRLConverter().getCRL(builder.build(signer));
      return RevocationList.of(crl, certificate);
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot encode the revocation list", e);
    } catch (OperatorCreationException | CRLException | PkiException e) {
      throw new IllegalStateException("cannot sign the revocation list", e);
    }
  }

  @Override
  public String toString() {
    return "CertificateAuthority[" + subjectOf(certificate) + "]";
  }

  private IssuedCredential issue(
      String commonName,
      PartyRole role,
      List<GeneralName> subjectAltNames,
      KeyPurposeId[] purposes,
      Duration validity) {
    KeyPair keys = KeyPairs.generateP256(random);
    X509Certificate issued =
        issue(commonName, role, subjectAltNames, purposes, validity, keys.getPublic());
    return new IssuedCredential(issued, keys.getPrivate());
  }

  private X509Certificate issue(
      String commonName,
      PartyRole role,
      List<GeneralName> subjectAltNames,
      KeyPurposeId[] purposes,
      Duration validity,
      PublicKey publicKey) {
    X500Name issuer = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
    // Carry the consortium's O so a leaf says which network it belongs to.
    for (RDN rdn : issuer.getRDNs(BCStyle.O)) {
      ASN1Encodable organization = rdn.getFirst().getValue();
      subject.addRDN(BCStyle.O, organization);
    }
    subject.addRDN(BCStyle.OU, role.organizationalUnit()).addRDN(BCStyle.CN, commonName);
    Instant now = Instant.now();
    Instant notAfter = now.plus(validity);
    Instant caNotAfter = certificate.getNotAfter().toInstant();
    if (notAfter.isAfter(caNotAfter)) {
      notAfter = caNotAfter;
    }
    // Short-lived certificates (tests, aggressive renewal) are back-dated less, so that most of
    // their validity lies ahead of the moment they are issued.
    Duration backdate =
        validity.dividedBy(10).compareTo(CLOCK_SKEW_ALLOWANCE) < 0
            ? validity.dividedBy(10)
            : CLOCK_SKEW_ALLOWANCE;
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            issuer,
            serial(random),
            Date.from(now.minus(backdate)),
            Date.from(notAfter),
            subject.build(),
            publicKey);
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
          .addExtension(
              Extension.subjectAlternativeName,
              false,
              new GeneralNames(subjectAltNames.toArray(GeneralName[]::new)))
          .addExtension(
              Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey))
          .addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier(utils));
    } catch (CertIOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot encode certificate extensions", e);
    }
    return sign(builder, privateKey, provider);
  }

  /**
   * Copies the CA's own subject key identifier when it has one, so that path building matches even
   * for a CA whose identifier was computed another way.
   */
  private AuthorityKeyIdentifier authorityKeyIdentifier(JcaX509ExtensionUtils utils)
      throws CertIOException {
    byte[] extension = certificate.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    if (extension == null) {
      return utils.createAuthorityKeyIdentifier(certificate.getPublicKey());
    }
    try {
      byte[] keyId =
          SubjectKeyIdentifier.getInstance(JcaX509ExtensionUtils.parseExtensionValue(extension))
              .getKeyIdentifier();
      return new AuthorityKeyIdentifier(keyId);
    } catch (IOException e) {
      throw new CertIOException("CA subject key identifier is malformed", e);
    }
  }

  private static X509Certificate sign(
      X509v3CertificateBuilder builder, PrivateKey signingKey, Provider provider) {
    try {
      ContentSigner signer =
          new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM)
              .setProvider(provider)
              .build(signingKey);
      // No provider on the converter: certificates come back as the JDK's own X509Certificate.
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (OperatorCreationException | CertificateException e) {
      throw new IllegalStateException("cannot sign certificate", e);
    }
  }

  /** Random, positive and non-zero, as RFC 5280 §4.1.2.2 requires. */
  private static BigInteger serial(SecureRandom random) {
    BigInteger serial;
    do {
      serial = new BigInteger(SERIAL_BITS, random);
    } while (serial.signum() == 0);
    return serial;
  }

  private static void requirePositive(Duration validity) {
    Objects.requireNonNull(validity, "validity");
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("validity must be positive, was " + validity);
    }
  }

  private static String subjectOf(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName();
  }
}
