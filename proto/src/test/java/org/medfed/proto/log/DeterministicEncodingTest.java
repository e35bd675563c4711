package org.medfed.proto.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.LogEntry;

class DeterministicEncodingTest {
  private final LogEntry entry =
      LogEntry.newBuilder()
          .setTimeUnixMillis(1_795_314_600_123L)
          .setStudyId("heart")
          .setRound(3)
          .setMessage(
              ExchangedMessage.newBuilder()
                  .setRpc("PushUpdate")
                  .setSender("cleveland")
                  .setReceiver("coordinator")
                  .setPayloadSha256(ByteString.copyFrom(new byte[32]))
                  .setOutcome("accepted"))
          .build();

  @Test
  void encodingDecodesToTheSameEntryAndFillsItsSizeExactly() throws Exception {
    byte[] encoded = DeterministicEncoding.of(entry);

    assertEquals(entry.getSerializedSize(), encoded.length);
    assertEquals(entry, LogEntry.parseFrom(encoded));
  }

  @Test
  void anEntryDecodedFromItsEncodingEncodesToTheSameBytes() throws Exception {
    byte[] encoded = DeterministicEncoding.of(entry);

    assertArrayEquals(encoded, DeterministicEncoding.of(LogEntry.parseFrom(encoded)));
  }
}
