package org.medfed.crypto.secagg;

import java.util.List;
import java.util.Objects;

/**
 * The messages of one round. Records take any field lengths so that a malformed message reaches the
 * protocol and is refused there with {@link SecAggException.Reason#WRONG_LENGTH}; arrays are copied
 * in and out. Site ids in a message are claims: receivers compare them with the party that
 * delivered the message.
 */
public sealed interface SecAggMessage {

  long round();

  /**
   * Site to server, phase {@link Phase#ADVERTISE_KEYS}: the site's two X25519 public keys (c for
   * share encryption, s for pairwise masks), signed with the site's identity key over {@link
   * #signedPayload}.
   */
  record AdvertiseKeys(
      long round, String siteId, byte[] encryptionKey, byte[] maskingKey, byte[] signature)
      implements SecAggMessage {
    public AdvertiseKeys {
      Objects.requireNonNull(siteId, "siteId");
      encryptionKey = encryptionKey.clone();
      maskingKey = maskingKey.clone();
      signature = signature.clone();
    }

    @Override
    public byte[] encryptionKey() {
      return encryptionKey.clone();
    }

    @Override
    public byte[] maskingKey() {
      return maskingKey.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }

    /** What the signature covers: a domain tag, the round, the site id and both keys. */
    public byte[] signedPayload() {
      return RoundCrypto.encode(
          RoundCrypto.bytes("medfed-secagg-v1 advertise-keys"),
          RoundCrypto.longBytes(round),
          RoundCrypto.bytes(siteId),
          encryptionKey,
          maskingKey);
    }

    @Override
    public String toString() {
      return "AdvertiseKeys[round=" + round + ", siteId=" + siteId + "]";
    }
  }

  /**
   * One site's Shamir shares (of its self-mask seed and its masking private key) for one recipient,
   * AES-GCM encrypted under a key agreed between their c keys. The server only routes it.
   */
  record EncryptedShare(long round, String sender, String recipient, byte[] ciphertext)
      implements SecAggMessage {
    public EncryptedShare {
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(recipient, "recipient");
      ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext.clone();
    }

    @Override
    public String toString() {
      return "EncryptedShare[round=" + round + ", " + sender + " -> " + recipient + "]";
    }
  }

  /** Site to server, phase {@link Phase#SHARE_KEYS}: one encrypted share per neighbour. */
  record ShareKeys(long round, String siteId, List<EncryptedShare> shares)
      implements SecAggMessage {
    public ShareKeys {
      Objects.requireNonNull(siteId, "siteId");
      shares = List.copyOf(shares);
    }
  }

  /** Site to server, phase {@link Phase#MASKED_INPUT}: quantised update plus masks, mod 2^32. */
  record MaskedInput(long round, String siteId, int[] maskedVector) implements SecAggMessage {
    public MaskedInput {
      Objects.requireNonNull(siteId, "siteId");
      maskedVector = maskedVector.clone();
    }

    @Override
    public int[] maskedVector() {
      return maskedVector.clone();
    }

    /** The element count without copying the vector. */
    public int length() {
      return maskedVector.length;
    }

    /** Adds the vector into {@code sum} mod 2^32 without copying it. */
    void addInto(int[] sum) {
      for (int i = 0; i < sum.length; i++) {
        sum[i] += maskedVector[i];
      }
    }

    @Override
    public String toString() {
      return "MaskedInput[round=" + round + ", siteId=" + siteId + ", length=" + length() + "]";
    }
  }

  /**
   * Server to every survivor, phase {@link Phase#UNMASKING}: the sites whose masked input the
   * server received. Each recipient reveals self-mask-seed shares for these and masking-key shares
   * for the other sites that shared keys.
   */
  record UnmaskRequest(long round, List<String> survivors) implements SecAggMessage {
    public UnmaskRequest {
      survivors = List.copyOf(survivors);
    }
  }

  /** Site to server, phase {@link Phase#UNMASKING}: the shares the request asked for. */
  record UnmaskShares(long round, String siteId, List<RevealedShare> shares)
      implements SecAggMessage {
    public UnmaskShares {
      Objects.requireNonNull(siteId, "siteId");
      shares = List.copyOf(shares);
    }
  }

  /** One revealed share of {@code owner}'s secret: its self-mask seed or its masking key. */
  record RevealedShare(String owner, SecretKind kind, byte[] share) {
    public RevealedShare {
      Objects.requireNonNull(owner, "owner");
      Objects.requireNonNull(kind, "kind");
      share = share.clone();
    }

    @Override
    public byte[] share() {
      return share.clone();
    }

    @Override
    public String toString() {
      return "RevealedShare[owner=" + owner + ", kind=" + kind + "]";
    }
  }

  /** Which of a site's two shared secrets a share belongs to. */
  enum SecretKind {
    /** Seed of the site's self mask: revealed only for sites that sent masked input. */
    SELF_MASK_SEED,
    /** The site's X25519 masking private key: revealed only for sites that dropped. */
    MASKING_KEY
  }
}
