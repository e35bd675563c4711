package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.crypto.sign.MessageStatement;
import org.medfed.proto.v1.DeclineRoundRequest;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.JoinRequest;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.PollTaskRequest;

/**
 * A real coordinator and a site's real signing channel: every signed message is logged with the
 * previous statement it names, and each names the one before it that the log holds, across a
 * refusal the coordinator logged and across a restart of the site.
 */
@Timeout(60)
class MessageChainIT {
  @TempDir Path dir;

  @Test
  void everyLoggedSiteMessageNamesTheStatementOfTheOneBeforeIt() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    try (CoordinatorNode coordinator = network.coordinator(network.study(1, 1, "5s", "stop"), 0)) {
      try (RawSite site = new RawSite(network.channel("hungary", coordinator.grpcPort()))) {
        site.stub.join(JoinRequest.newBuilder().setSoftwareVersion("1").build());
        // Refused, and logged with its signature: the chain goes through it.
        StatusRuntimeException refused =
            assertThrows(
                StatusRuntimeException.class,
                () ->
                    site.stub.declineRound(
                        DeclineRoundRequest.newBuilder()
                            .setStudyId("no-such-study")
                            .setRound(9)
                            .setReason("test")
                            .build()));
        assertTrue(
            refused.getStatus().getCode() != Status.Code.UNAUTHENTICATED, refused.toString());
        // Signed too, but the coordinator logs what it sends, not the poll: not in the chain.
        site.stub.pollTask(PollTaskRequest.newBuilder().setMaxWaitMillis(1).build());
      }
      // The site restarts: a new channel reads the chain head back from its state directory.
      try (RawSite site = new RawSite(network.channel("hungary", coordinator.grpcPort()))) {
        site.stub.join(JoinRequest.newBuilder().setSoftwareVersion("2").build());
      }

      List<ExchangedMessage> signed =
          coordinator.exchangeLog().entries(0, coordinator.exchangeLog().size()).stream()
              .filter(LogEntry::hasMessage)
              .map(LogEntry::getMessage)
              .filter(m -> m.getSender().equals("hungary"))
              .toList();
      assertEquals(
          List.of("Join", "DeclineRound", "Join"),
          signed.stream().map(ExchangedMessage::getRpc).toList());
      ByteString expected = ByteString.copyFrom(MessageStatement.noPrevious());
      for (ExchangedMessage message : signed) {
        assertTrue(!message.getSenderSignature().isEmpty(), message.toString());
        assertEquals(expected, message.getPreviousStatementSha256(), message.getRpc());
        expected = ByteString.copyFrom(link(message));
      }
      assertEquals(
          HexFormat.of().formatHex(expected.toByteArray()) + "\n",
          Files.readString(network.stateDir("hungary").resolve("receipts/chain-head")));
    }
  }

  private static byte[] link(ExchangedMessage message) {
    return MessageStatement.link(
        MessageStatement.of(
            message.getRpc(),
            message.getPayloadSha256().toByteArray(),
            message.getPreviousStatementSha256().toByteArray()));
  }
}
