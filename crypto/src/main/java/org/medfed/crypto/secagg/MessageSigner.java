package org.medfed.crypto.secagg;

import java.security.GeneralSecurityException;

/** Signs with the site's identity key (the key its consortium certificate certifies). */
@FunctionalInterface
public interface MessageSigner {
  byte[] sign(byte[] message) throws GeneralSecurityException;
}
