package org.medfed.crypto.merkle;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import org.medfed.crypto.sign.Signer;
import org.medfed.crypto.sign.Verifier;

/**
 * A {@link Checkpoint} with the log operator's signature over it: what a site keeps as its receipt
 * of the log's state, and what an auditor checks against the coordinator's certificate.
 *
 * <p>The signature covers the ASCII bytes {@code "medfed-checkpoint-v1\n"} followed by the
 * checkpoint's {@link Checkpoint#encode canonical encoding}. The prefix separates checkpoint
 * signatures from everything else the coordinator's key signs, so no other signed message can be
 * replayed as a checkpoint, and names the format version.
 */
public record SignedCheckpoint(Checkpoint checkpoint, byte[] signature) {
  private static final String SIGNATURE_CONTEXT = "medfed-checkpoint-v1\n";

  /**
   * @throws IllegalArgumentException if the signature is empty
   */
  public SignedCheckpoint {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(signature, "signature");
    if (signature.length == 0) {
      throw new IllegalArgumentException("signature must not be empty");
    }
    signature = signature.clone();
  }

  /** Signs {@code checkpoint} with the log operator's key. */
  public static SignedCheckpoint sign(Checkpoint checkpoint, Signer signer) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(signer, "signer");
    return new SignedCheckpoint(checkpoint, signer.sign(signedBytes(checkpoint)));
  }

  /**
   * Checks the signature with the log operator's public key.
   *
   * @throws VerificationException if the signature is not a valid signature by that key over this
   *     checkpoint
   */
  public void verify(Verifier verifier) throws VerificationException {
    Objects.requireNonNull(verifier, "verifier");
    if (!verifier.verify(signature, signedBytes(checkpoint))) {
      throw new VerificationException(
          "signature on checkpoint of "
              + checkpoint.origin()
              + " at tree size "
              + checkpoint.treeSize()
              + " does not verify");
    }
  }

  /** A copy of the signature bytes. */
  @Override
  public byte[] signature() {
    return signature.clone();
  }

  static byte[] signedBytes(Checkpoint checkpoint) {
    byte[] context = SIGNATURE_CONTEXT.getBytes(StandardCharsets.US_ASCII);
    byte[] body = checkpoint.encode();
    byte[] message = Arrays.copyOf(context, context.length + body.length);
    System.arraycopy(body, 0, message, context.length, body.length);
    return message;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SignedCheckpoint that
        && checkpoint.equals(that.checkpoint)
        && Arrays.equals(signature, that.signature);
  }

  @Override
  public int hashCode() {
    return 31 * checkpoint.hashCode() + Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "SignedCheckpoint["
        + checkpoint
        + ", signature="
        + Base64.getEncoder().encodeToString(signature)
        + "]";
  }
}
