package org.medfed.crypto.pki;

/**
 * What a certificate holder is in the network, as written in the certificate's OU attribute by the
 * consortium CA.
 */
public enum PartyRole {
  COORDINATOR("coordinator"),
  SITE("site");

  private final String organizationalUnit;

  PartyRole(String organizationalUnit) {
    this.organizationalUnit = organizationalUnit;
  }

  /** The OU value that marks this role in an issued certificate. */
  public String organizationalUnit() {
    return organizationalUnit;
  }
}
