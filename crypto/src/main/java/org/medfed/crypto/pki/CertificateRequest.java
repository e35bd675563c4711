package org.medfed.crypto.pki;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A site's PKCS#10 certificate signing request, checked: its self-signature verifies, its key is
 * ECDSA P-256 and its subject names exactly one site (CN). The site makes it with a key pair it
 * generated itself, so its private key never leaves it; the CA decides everything else in the
 * certificate (organisation, role, validity, extensions) and ignores any the request asks for.
 */
public final class CertificateRequest {
  private static final int MAX_DER = 4096;
  // One private instance (never installed JVM-wide): building a provider costs milliseconds.
  private static final Provider PROVIDER = new BouncyCastleProvider();

  private final String siteId;
  private final PublicKey publicKey;
  private final byte[] der;

  private CertificateRequest(String siteId, PublicKey publicKey, byte[] der) {
    this.siteId = siteId;
    this.publicKey = publicKey;
    this.der = der;
  }

  /** A fresh P-256 key pair for a site's TLS certificate, from the JDK provider. */
  public static KeyPair generateKeyPair() {
    return KeyPairs.generateP256(new SecureRandom());
  }

  /**
   * Makes a request for the site's certificate, signed with the pair's private key.
   *
   * @throws IllegalArgumentException if the site id breaks the site id rule or the key pair is not
   *     a P-256 pair
   */
  public static CertificateRequest create(String siteId, KeyPair keys) {
    Names.requireSiteId(siteId);
    Objects.requireNonNull(keys, "keys");
    if (!KeyPairs.isP256(keys.getPrivate())
        || !KeyPairs.matches(keys.getPrivate(), keys.getPublic())) {
      throw new IllegalArgumentException("a site key pair must be a matching EC P-256 pair");
    }
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.OU, PartyRole.SITE.organizationalUnit())
            .addRDN(BCStyle.CN, siteId)
            .build();
    try {
      ContentSigner signer =
          new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM)
              .setProvider(PROVIDER)
              .build(keys.getPrivate());
      PKCS10CertificationRequest request =
          new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic()).build(signer);
      return new CertificateRequest(siteId, keys.getPublic(), request.getEncoded());
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot sign a certificate request", e);
    }
  }

  /**
   * Reads and checks a DER request as it arrived from a site.
   *
   * @throws PkiException if the bytes are not a PKCS#10 request, its signature does not verify with
   *     its own key, its key is not EC P-256, or its subject does not name exactly one valid site
   *     id
   */
  public static CertificateRequest parse(byte[] der) throws PkiException {
    Objects.requireNonNull(der, "der");
    if (der.length == 0 || der.length > MAX_DER) {
      throw new PkiException(
          "the certificate request is " + der.length + " bytes; expected 1 to " + MAX_DER);
    }
    JcaPKCS10CertificationRequest request;
    PublicKey publicKey;
    try {
      request = new JcaPKCS10CertificationRequest(der.clone());
      publicKey = request.setProvider(PROVIDER).getPublicKey();
    } catch (IOException | RuntimeException | GeneralSecurityException e) {
      // BouncyCastle reports malformed ASN.1 with a mix of checked and unchecked exceptions.
      throw new PkiException("the certificate request is not a DER PKCS#10 request", e);
    }
    boolean signatureValid;
    try {
      signatureValid =
          request.isSignatureValid(
              new JcaContentVerifierProviderBuilder()
                  .setProvider(PROVIDER)
                  .build(request.getSubjectPublicKeyInfo()));
    } catch (PKCSException | OperatorCreationException | RuntimeException e) {
      throw new PkiException(
          "the certificate request's signature cannot be checked: " + e.getMessage(), e);
    }
    if (!signatureValid) {
      throw new PkiException(
          "the certificate request's self-signature does not verify with its own public key");
    }
    if (!(publicKey instanceof ECPublicKey ec)
        || ec.getParams().getCurve().getField().getFieldSize() != 256) {
      throw new PkiException("the certificate request's key must be an EC P-256 key");
    }
    String siteId = siteIdOf(request.getSubject());
    // Re-encode the key through the JDK so it is the same kind of object as the site's own.
    PublicKey jdkKey;
    try {
      jdkKey =
          KeyFactory.getInstance("EC")
              .generatePublic(new X509EncodedKeySpec(publicKey.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new PkiException("the certificate request's key is not a usable EC key", e);
    }
    return new CertificateRequest(siteId, jdkKey, der.clone());
  }

  /** The site the request names in its subject CN. */
  public String siteId() {
    return siteId;
  }

  /** The key to certify; the request's signature proves the requester holds its private key. */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** The request as it goes over the wire. */
  public byte[] encoded() {
    return der.clone();
  }

  @Override
  public String toString() {
    return "CertificateRequest[site=" + siteId + "]";
  }

  private static String siteIdOf(X500Name subject) throws PkiException {
    RDN[] names = subject.getRDNs(BCStyle.CN);
    if (names.length != 1 || names[0].isMultiValued()) {
      throw new PkiException(
          "the certificate request's subject \""
              + subject
              + "\" must have exactly one CN, the site id; found "
              + names.length);
    }
    ASN1Encodable value = names[0].getFirst().getValue();
    if (!(value instanceof ASN1String text)) {
      throw new PkiException("the certificate request's subject CN must be a string");
    }
    String siteId = text.getString();
    if (!Names.isValidSiteId(siteId)) {
      throw new PkiException(
          "the certificate request's subject CN \""
              + siteId
              + "\" is not a site id: it must be "
              + Names.SITE_ID_RULE);
    }
    for (RDN unit : subject.getRDNs(BCStyle.OU)) {
      ASN1Encodable ou = unit.getFirst().getValue();
      if (!(ou instanceof ASN1String s)
          || !s.getString().equals(PartyRole.SITE.organizationalUnit())) {
        throw new PkiException(
            "the certificate request asks for role OU=\""
                + ou
                + "\"; a site may only request OU=\"site\"");
      }
    }
    return siteId;
  }
}
