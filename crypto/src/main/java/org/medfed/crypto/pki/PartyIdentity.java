package org.medfed.crypto.pki;

import java.security.cert.X509Certificate;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * Who a certificate names: the CN is the party's name, the OU its role. The coordinator names a
 * site by this identity and nothing else (never by a field of a message the site sent).
 *
 * <p>This reads names only; it does not check that the certificate chains to the consortium CA. The
 * TLS handshake does that before a certificate ever reaches {@link #of}.
 */
public record PartyIdentity(String name, PartyRole role) {

  public PartyIdentity {
    Objects.requireNonNull(role, "role");
    if (role == PartyRole.SITE) {
      Names.requireSiteId(name);
    } else {
      Names.requireCommonName("party name", name);
    }
  }

  /**
   * Reads the identity from a certificate issued by {@link CertificateAuthority}.
   *
   * @throws PkiException if the subject lacks exactly one CN or exactly one OU, the OU is not a
   *     known role, or a site's CN is not a valid site id
   */
  public static PartyIdentity of(X509Certificate certificate) throws PkiException {
    Objects.requireNonNull(certificate, "certificate");
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    String commonName = single(subject, BCStyle.CN, "CN");
    String unit = single(subject, BCStyle.OU, "OU");
    PartyRole role = null;
    for (PartyRole candidate : PartyRole.values()) {
      if (candidate.organizationalUnit().equals(unit)) {
        role = candidate;
      }
    }
    if (role == null) {
      throw new PkiException(
          "certificate subject OU \""
              + unit
              + "\" is not a MedFed role: expected \"coordinator\" or \"site\"");
    }
    try {
      return new PartyIdentity(commonName, role);
    } catch (IllegalArgumentException e) {
      throw new PkiException("certificate subject CN is not a valid name: " + e.getMessage(), e);
    }
  }

  private static String single(X500Name subject, ASN1ObjectIdentifier type, String label)
      throws PkiException {
    RDN[] rdns = subject.getRDNs(type);
    if (rdns.length != 1 || rdns[0].isMultiValued()) {
      throw new PkiException(
          "certificate subject \""
              + subject
              + "\" must have exactly one "
              + label
              + " attribute, found "
              + rdns.length);
    }
    // The raw string, not IETFUtils' RFC 4514 form, which would add escapes to the name.
    ASN1Encodable value = rdns[0].getFirst().getValue();
    if (!(value instanceof ASN1String text)) {
      throw new PkiException("certificate subject " + label + " must be a string");
    }
    return text.getString();
  }
}
