package org.medfed.site.federation;

import com.google.protobuf.MessageLite;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.util.Arrays;
import java.util.function.Supplier;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.sign.MessageStatement;
import org.medfed.crypto.sign.Signatures;
import org.medfed.proto.v1.PushMaskedInputRequest;
import org.medfed.proto.v1.PushUpdateRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs every message this site sends with its certificate's key, so the exchange log holds the
 * site's own word for what it sent (the coordinator cannot forge it). The signature and the signing
 * certificate travel as call metadata; because metadata leaves before the first message, the call
 * is started only once its first message is known.
 *
 * <p>Each statement names the previous one the coordinator logged ({@link MessageChain}), so one
 * signature vouches for the site's whole chain before it. The coordinator says which statement it
 * logged in the {@code medfed-logged-bin} trailer; only a call whose trailer names exactly the
 * statement signed for it advances the chain. Calls in flight together name the same predecessor (a
 * fork, which auditors handle); a call whose answer is lost leaves the chain where it was.
 */
final class MessageSigning implements ClientInterceptor {
  private static final Logger log = LoggerFactory.getLogger(MessageSigning.class);
  static final Metadata.Key<byte[]> SIGNATURE =
      Metadata.Key.of("medfed-signature-bin", Metadata.BINARY_BYTE_MARSHALLER);
  static final Metadata.Key<byte[]> CERTIFICATE =
      Metadata.Key.of("medfed-signer-certificate-bin", Metadata.BINARY_BYTE_MARSHALLER);
  static final Metadata.Key<byte[]> PREVIOUS =
      Metadata.Key.of("medfed-previous-bin", Metadata.BINARY_BYTE_MARSHALLER);
  static final Metadata.Key<byte[]> LOGGED =
      Metadata.Key.of("medfed-logged-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private final Supplier<IssuedCredential> credential;
  private final MessageChain chain;

  MessageSigning(Supplier<IssuedCredential> credential, MessageChain chain) {
    this.credential = credential;
    this.chain = chain;
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(
      MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    String rpc = method.getBareMethodName();
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
      private Listener<R> listener;
      private Metadata headers;
      private int requested;
      private boolean started;
      private volatile byte[] signedLink;

      @Override
      public void start(Listener<R> responseListener, Metadata metadata) {
        listener =
            new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
                responseListener) {
              @Override
              public void onClose(Status status, Metadata trailers) {
                // Before the caller hears the answer, so its next message names this one.
                acknowledged(signedLink, trailers);
                super.onClose(status, trailers);
              }
            };
        headers = metadata;
      }

      @Override
      public void request(int count) {
        if (started) {
          super.request(count);
        } else {
          requested += count;
        }
      }

      @Override
      public boolean isReady() {
        return started && super.isReady();
      }

      @Override
      public void sendMessage(Q message) {
        if (!started) {
          try {
            signedLink = sign(headers, rpc, message);
          } catch (GeneralSecurityException e) {
            throw Status.INTERNAL
                .withDescription("cannot sign the message: " + e.getMessage())
                .asRuntimeException();
          }
          startNow();
        }
        super.sendMessage(message);
      }

      @Override
      public void halfClose() {
        startNow();
        super.halfClose();
      }

      @Override
      public void cancel(String message, Throwable cause) {
        startNow();
        super.cancel(message, cause);
      }

      private void startNow() {
        if (started) {
          return;
        }
        started = true;
        super.start(listener, headers);
        if (requested > 0) {
          super.request(requested);
        }
      }
    };
  }

  /** Signs the message's statement into the headers and returns the statement's link. */
  private byte[] sign(Metadata headers, String rpc, Object message)
      throws GeneralSecurityException {
    IssuedCredential current = credential.get();
    byte[] previous = chain.head();
    byte[] statement = MessageStatement.of(rpc, payloadSha256(message), previous);
    headers.put(SIGNATURE, Signatures.signer(current.privateKey()).sign(statement));
    headers.put(PREVIOUS, previous);
    try {
      headers.put(CERTIFICATE, current.certificate().getEncoded());
    } catch (CertificateEncodingException e) {
      throw new GeneralSecurityException("the site certificate cannot be encoded", e);
    }
    return MessageStatement.link(statement);
  }

  private void acknowledged(byte[] signedLink, Metadata trailers) {
    byte[] logged = trailers.get(LOGGED);
    if (signedLink == null || logged == null || !Arrays.equals(signedLink, logged)) {
      return;
    }
    try {
      chain.advance(signedLink);
    } catch (IOException e) {
      // The chain advances in memory; after a restart the site forks from the head on disk.
      log.atWarn()
          .setMessage("cannot persist the message chain head")
          .addKeyValue("chain", chain)
          .addKeyValue("error", e.toString())
          .log();
    }
  }

  /** The digest the exchange log records: a chunked upload's vector, else the message bytes. */
  static byte[] payloadSha256(Object message) {
    if (message instanceof PushUpdateRequest part && part.hasHeader()) {
      return part.getHeader().getVectorSha256().toByteArray();
    }
    if (message instanceof PushMaskedInputRequest part && part.hasHeader()) {
      return part.getHeader().getVectorSha256().toByteArray();
    }
    byte[] bytes = ((MessageLite) message).toByteArray();
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }
}
