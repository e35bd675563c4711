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
import java.util.Set;
import org.medfed.proto.v1.AnswerInvitationRequest;
import org.medfed.proto.v1.DeclineRoundRequest;
import org.medfed.proto.v1.GetReceiptsRequest;
import org.medfed.proto.v1.JoinRequest;
import org.medfed.proto.v1.PollTaskRequest;
import org.medfed.proto.v1.PullModelRequest;
import org.medfed.proto.v1.PushUpdateRequest;
import org.medfed.proto.v1.ReportEvaluationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last check before anything leaves the site: only the message types of the wire contract may
 * go out, each is written to the egress ledger, and anything else is refused and logged. None of
 * these types can carry a patient-level value.
 */
final class EgressGuard implements ClientInterceptor {
  private static final Logger log = LoggerFactory.getLogger(EgressGuard.class);
  private static final Set<Class<?>> ALLOWED =
      Set.of(
          JoinRequest.class,
          PollTaskRequest.class,
          AnswerInvitationRequest.class,
          DeclineRoundRequest.class,
          GetReceiptsRequest.class,
          PullModelRequest.class,
          PushUpdateRequest.class,
          ReportEvaluationRequest.class,
          // Certificate enrolment and renewal: a token and a request holding a public key.
          org.medfed.proto.v1.EnrolRequest.class,
          org.medfed.proto.v1.RenewRequest.class,
          // Secure aggregation: public keys, encrypted shares, a masked vector, revealed shares.
          org.medfed.proto.v1.AdvertiseKeysRequest.class,
          org.medfed.proto.v1.ShareKeysRequest.class,
          org.medfed.proto.v1.PushMaskedInputRequest.class,
          org.medfed.proto.v1.RevealSharesRequest.class);

  private final EgressLedger ledger;

  EgressGuard(EgressLedger ledger) {
    this.ledger = ledger;
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(
      MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    String methodName = method.getBareMethodName();
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<R> listener, Metadata headers) {
        super.start(
            new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
              @Override
              public void onMessage(R message) {
                if (message instanceof MessageLite lite) {
                  ledger.received(lite.getSerializedSize());
                }
                super.onMessage(message);
              }
            },
            headers);
      }

      @Override
      public void sendMessage(Q message) {
        String type = message.getClass().getSimpleName();
        if (!ALLOWED.contains(message.getClass()) || !(message instanceof MessageLite lite)) {
          ledger.refused(methodName, type);
          log.atError()
              .setMessage("egress refused: message type is not on the allowed list")
              .addKeyValue("method", methodName)
              .addKeyValue("type", type)
              .log();
          cancel("egress guard refused a " + type, null);
          throw Status.PERMISSION_DENIED
              .withDescription("the egress guard refused a " + type)
              .asRuntimeException();
        }
        ledger.sent(methodName, type, lite.getSerializedSize());
        super.sendMessage(message);
      }
    };
  }
}
