package org.medfed.crypto.pki;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CRLException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * PEM text (RFC 7468) for certificates, CRLs and PKCS#8 private keys. Text in, text out: the caller
 * decides where it is stored.
 */
public final class Pem {
  private static final String CERTIFICATE = "CERTIFICATE";
  private static final String PRIVATE_KEY = "PRIVATE KEY";
  private static final String CRL = "X509 CRL";
  private static final Pattern BLOCK =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", Pattern.DOTALL);
  private static final int LINE_LENGTH = 64;

  private Pem() {}

  /** Parses text holding exactly one PEM certificate. */
  public static X509Certificate parseCertificate(String pem) throws PkiException {
    List<X509Certificate> certificates = parseCertificates(pem);
    if (certificates.size() != 1) {
      throw new PkiException(
          "expected exactly one PEM CERTIFICATE block, found " + certificates.size());
    }
    return certificates.getFirst();
  }

  /** Parses text holding one or more PEM certificates (a bundle), in order. */
  public static List<X509Certificate> parseCertificates(String pem) throws PkiException {
    List<byte[]> blocks = blocks(pem, CERTIFICATE);
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new PkiException("X.509 certificates are not supported by this JVM", e);
    }
    List<X509Certificate> certificates = new ArrayList<>(blocks.size());
    for (byte[] der : blocks) {
      try {
        certificates.add(
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      } catch (CertificateException e) {
        int index = certificates.size() + 1;
        throw new PkiException(
            "PEM CERTIFICATE block " + index + " is not a DER X.509 certificate", e);
      }
    }
    return List.copyOf(certificates);
  }

  /** Parses text holding exactly one unencrypted PKCS#8 ({@code PRIVATE KEY}) block. */
  public static PrivateKey parsePrivateKey(String pem) throws PkiException {
    List<byte[]> blocks = blocks(pem, PRIVATE_KEY);
    if (blocks.size() != 1) {
      throw new PkiException("expected exactly one PEM PRIVATE KEY block, found " + blocks.size());
    }
    byte[] der = blocks.getFirst();
    String algorithm;
    try {
      // The PKCS#8 algorithm identifier says which KeyFactory can read the rest.
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(der);
      algorithm = algorithmName(info.getPrivateKeyAlgorithm().getAlgorithm().getId());
    } catch (IllegalArgumentException | IllegalStateException e) {
      // BouncyCastle's ASN.1 parser reports malformed input with these unchecked exceptions.
      throw new PkiException("PEM PRIVATE KEY block is not a DER PKCS#8 PrivateKeyInfo", e);
    }
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
      throw new PkiException("PEM PRIVATE KEY block is not a valid " + algorithm + " key", e);
    }
  }

  /** Parses text holding exactly one PEM X509 CRL block (RFC 7468 §5). */
  public static X509CRL parseCrl(String pem) throws PkiException {
    List<byte[]> blocks = blocks(pem, CRL);
    if (blocks.size() != 1) {
      throw new PkiException("expected exactly one PEM X509 CRL block, found " + blocks.size());
    }
    try {
      return (X509CRL)
          CertificateFactory.getInstance("X.509")
              .generateCRL(new ByteArrayInputStream(blocks.getFirst()));
    } catch (CRLException | CertificateException e) {
      throw new PkiException("PEM X509 CRL block is not a DER X.509 CRL", e);
    }
  }

  /** Encodes a CRL as one PEM X509 CRL block ending in a newline. */
  public static String encode(X509CRL crl) {
    Objects.requireNonNull(crl, "crl");
    try {
      return block(CRL, crl.getEncoded());
    } catch (CRLException e) {
      throw new IllegalStateException("CRL cannot be DER-encoded", e);
    }
  }

  /** Encodes a certificate as one PEM CERTIFICATE block ending in a newline. */
  public static String encode(X509Certificate certificate) {
    Objects.requireNonNull(certificate, "certificate");
    try {
      return block(CERTIFICATE, certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      // A certificate object that cannot re-encode itself is a broken provider, not bad input.
      throw new IllegalStateException("certificate cannot be DER-encoded", e);
    }
  }

  /** Encodes a private key as one unencrypted PKCS#8 PRIVATE KEY block ending in a newline. */
  public static String encode(PrivateKey privateKey) {
    Objects.requireNonNull(privateKey, "privateKey");
    if (!"PKCS#8".equals(privateKey.getFormat()) || privateKey.getEncoded() == null) {
      throw new IllegalArgumentException(
          "private key must be exportable as PKCS#8, but its format is " + privateKey.getFormat());
    }
    return block(PRIVATE_KEY, privateKey.getEncoded());
  }

  private static String block(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(LINE_LENGTH, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  /**
   * Decodes every block of the wanted type. Text outside blocks (such as the "subject=" lines
   * openssl writes) is ignored; a block of any other type is an error, so that a key pasted where a
   * certificate belongs is reported rather than skipped.
   */
  private static List<byte[]> blocks(String pem, String type) throws PkiException {
    if (pem == null) {
      throw new PkiException("expected PEM text with a " + type + " block, got null");
    }
    List<byte[]> result = new ArrayList<>();
    Matcher matcher = BLOCK.matcher(pem);
    while (matcher.find()) {
      String begin = matcher.group(1);
      if (!begin.equals(matcher.group(3))) {
        throw new PkiException(
            "PEM block BEGIN " + begin + " is closed by END " + matcher.group(3));
      }
      if (!begin.equals(type)) {
        throw new PkiException(
            "expected PEM " + type + " blocks, found a " + begin + " block" + hint(type, begin));
      }
      String base64 = matcher.group(2).replaceAll("\\s", "");
      try {
        result.add(Base64.getDecoder().decode(base64));
      } catch (IllegalArgumentException e) {
        throw new PkiException("PEM " + type + " block is not valid base64", e);
      }
    }
    int begins = pem.split("-----BEGIN ", -1).length - 1;
    if (begins != result.size()) {
      throw new PkiException("PEM text has a BEGIN line without a matching END line");
    }
    if (result.isEmpty()) {
      throw new PkiException("expected PEM text with a " + type + " block, found none");
    }
    return result;
  }

  private static String hint(String wanted, String found) {
    if (wanted.equals(PRIVATE_KEY) && found.equals("EC PRIVATE KEY")) {
      return " (SEC1); convert it with: openssl pkcs8 -topk8 -nocrypt";
    }
    if (wanted.equals(PRIVATE_KEY) && found.equals("ENCRYPTED PRIVATE KEY")) {
      return "; encrypted keys are not supported, decrypt it with: openssl pkcs8 -nocrypt";
    }
    return "";
  }

  private static String algorithmName(String oid) throws PkiException {
    return switch (oid) {
      case "1.2.840.10045.2.1" -> "EC";
      case "1.2.840.113549.1.1.1" -> "RSA";
      case "1.3.101.112" -> "Ed25519";
      default -> throw new PkiException("PKCS#8 key algorithm " + oid + " is not supported");
    };
  }
}
