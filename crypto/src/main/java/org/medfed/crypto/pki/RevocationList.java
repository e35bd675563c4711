package org.medfed.crypto.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * The consortium's certificate revocation list (X.509 v2 CRL, RFC 5280 §5), signed by the
 * consortium CA. Besides the serial and date of each revoked certificate, every entry carries a
 * non-critical MedFed extension with the site and the operator's reason, so whoever trusts the CA
 * also trusts who was revoked and why. Instances are immutable.
 */
public final class RevocationList {
  /**
   * The entry extension {@code SEQUENCE { site UTF8String, reason UTF8String }}, under a UUID-based
   * OID (ITU-T X.667), so that it needs no registration and clashes with nothing.
   */
  static final ASN1ObjectIdentifier MEDFED_REVOCATION =
      new ASN1ObjectIdentifier("2.25.264418478943398573796497929234715051312");

  private final X509CRL crl;
  private final long number;
  private final Map<BigInteger, Revocation> entries;

  private RevocationList(X509CRL crl, long number, Map<BigInteger, Revocation> entries) {
    this.crl = crl;
    this.number = number;
    this.entries = Collections.unmodifiableMap(entries);
  }

  /**
   * Reads a CRL and checks that the consortium CA signed it.
   *
   * @throws PkiException if the text is not one PEM CRL, it is not signed by {@code ca}, an entry
   *     lacks its MedFed extension, or it has an unknown critical extension
   */
  public static RevocationList parse(String pem, X509Certificate ca) throws PkiException {
    Objects.requireNonNull(ca, "ca");
    X509CRL crl = Pem.parseCrl(pem);
    return of(crl, ca);
  }

  static RevocationList of(X509CRL crl, X509Certificate ca) throws PkiException {
    if (!crl.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      throw new PkiException(
          "the revocation list is issued by \""
              + crl.getIssuerX500Principal().getName()
              + "\", not by the consortium CA \""
              + ca.getSubjectX500Principal().getName()
              + "\"");
    }
    try {
      crl.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new PkiException(
          "the revocation list's signature does not verify with the consortium CA's key", e);
    }
    Set<String> critical = crl.getCriticalExtensionOIDs();
    if (critical != null && !critical.isEmpty()) {
      throw new PkiException("the revocation list has unknown critical extensions " + critical);
    }
    long number = 0;
    byte[] numberExtension = crl.getExtensionValue(Extension.cRLNumber.getId());
    if (numberExtension != null) {
      try {
        number =
            CRLNumber.getInstance(JcaX509ExtensionUtils.parseExtensionValue(numberExtension))
                .getCRLNumber()
                .longValueExact();
      } catch (IOException | ArithmeticException | IllegalArgumentException e) {
        throw new PkiException("the revocation list's CRL number is malformed", e);
      }
    }
    Map<BigInteger, Revocation> entries = new LinkedHashMap<>();
    Set<? extends X509CRLEntry> revoked = crl.getRevokedCertificates();
    if (revoked != null) {
      for (X509CRLEntry entry : revoked) {
        Revocation revocation = revocation(entry);
        entries.put(revocation.serial(), revocation);
      }
    }
    return new RevocationList(crl, number, entries);
  }

  private static Revocation revocation(X509CRLEntry entry) throws PkiException {
    String serial = entry.getSerialNumber().toString(16);
    Set<String> critical = entry.getCriticalExtensionOIDs();
    if (critical != null && !critical.isEmpty()) {
      throw new PkiException(
          "revocation of serial " + serial + " has unknown critical extensions " + critical);
    }
    byte[] value = entry.getExtensionValue(MEDFED_REVOCATION.getId());
    if (value == null) {
      throw new PkiException(
          "revocation of serial " + serial + " does not say which site it revokes and why");
    }
    try {
      ASN1Primitive parsed = JcaX509ExtensionUtils.parseExtensionValue(value);
      ASN1Sequence sequence = ASN1Sequence.getInstance(parsed);
      if (sequence.size() != 2
          || !(sequence.getObjectAt(0) instanceof ASN1String site)
          || !(sequence.getObjectAt(1) instanceof ASN1String reason)) {
        throw new PkiException(
            "revocation of serial " + serial + " has a malformed MedFed extension");
      }
      return new Revocation(
          entry.getSerialNumber(),
          site.getString(),
          reason.getString(),
          entry.getRevocationDate().toInstant());
    } catch (IOException | IllegalArgumentException e) {
      throw new PkiException(
          "revocation of serial " + serial + " is malformed: " + e.getMessage(), e);
    }
  }

  /** The DER of this library's entry extension for a revocation. */
  static ASN1Encodable extensionValue(Revocation revocation) {
    return new DERSequence(
        new ASN1Encodable[] {
          new DERUTF8String(revocation.siteId()), new DERUTF8String(revocation.reason())
        });
  }

  /** The revocation of this certificate, if the list revokes it. */
  public Optional<Revocation> find(X509Certificate certificate) {
    if (!certificate.getIssuerX500Principal().equals(crl.getIssuerX500Principal())) {
      return Optional.empty();
    }
    return find(certificate.getSerialNumber());
  }

  /** The revocation of the certificate with this serial, if the list revokes it. */
  public Optional<Revocation> find(BigInteger serial) {
    return Optional.ofNullable(entries.get(serial));
  }

  /** Every revocation, in the order the list holds them. */
  public List<Revocation> revocations() {
    return List.copyOf(new ArrayList<>(entries.values()));
  }

  /** The CRL number: it grows by one with every list the consortium signs. */
  public long number() {
    return number;
  }

  public Instant thisUpdate() {
    return crl.getThisUpdate().toInstant();
  }

  /** When the consortium promises the next list at the latest; empty if the list names none. */
  public Optional<Instant> nextUpdate() {
    return Optional.ofNullable(crl.getNextUpdate()).map(java.util.Date::toInstant);
  }

  public String pem() {
    return Pem.encode(crl);
  }

  @Override
  public String toString() {
    return "RevocationList[number=" + number + ", revoked=" + entries.size() + "]";
  }
}
