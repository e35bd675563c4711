package org.medfed.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The separate-hosts analyser ({@code deploy/netns/capture.py analyse}) must catch what it exists
 * to catch. Each test hands it pcap files built here, byte by byte, independently of the capture
 * side, as the router would have recorded them: genuine TLS 1.3 passes, and each way of breaking
 * the property fails. Needs python3, not root.
 */
class CaptureAnalysisTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Network network;

  @BeforeEach
  void needsPython() {
    String reason = pythonMissing();
    if (reason != null) {
      System.err.println("CaptureAnalysisTest skipped: " + reason);
      Assumptions.abort(reason);
    }
    network = new Network();
  }

  @Test
  void tls13ConversationsWithRetransmissionsAndReorderingPass() throws Exception {
    Conversation cleveland = network.tls13(Network.CLEVELAND, 40001);
    cleveland.serverSendsOutOfOrder(Tls.applicationData(900));
    cleveland.clientSends(Tls.applicationData(300));
    cleveland.retransmitLastClientSegment();
    cleveland.close();
    network.tls13(Network.HUNGARY, 40002).close();

    JsonNode analysis = analyse();

    assertTrue(analysis.get("ok").asBoolean(), analysis.get("violations").toString());
    assertEquals(0, analysis.get("non_tls_bytes").asLong());
    assertEquals("[\"TLS 1.3\"]", analysis.get("tls_versions_seen").toString());
    assertTrue(analysis.get("retransmitted_or_duplicate_bytes").asLong() >= 305);
    assertEquals(
        analysis.get("tcp_payload_bytes_between_hosts").asLong(),
        analysis.get("tls_bytes").asLong());
  }

  @Test
  void aPlaintextSegmentBetweenHostsFails() throws Exception {
    Conversation cleveland = network.tls13(Network.CLEVELAND, 40001);
    byte[] plaintext =
        "POST /update HTTP/1.1\r\nContent-Length: 4\r\n\r\n0.25".getBytes(StandardCharsets.UTF_8);
    cleveland.clientSends(plaintext);
    cleveland.close();
    network.tls13(Network.HUNGARY, 40002).close();

    JsonNode analysis = analyse();

    assertFalse(analysis.get("ok").asBoolean());
    assertEquals(plaintext.length, analysis.get("non_tls_bytes").asLong() / 2, "on both links");
    assertViolation(analysis, "payload bytes are not TLS records");
  }

  @Test
  void aServerThatSelectsTls12Fails() throws Exception {
    Conversation cleveland = network.open(Network.CLEVELAND, 40001);
    cleveland.clientSends(Tls.clientHello(0x0304, 0x0303));
    cleveland.serverSends(
        Tls.concat(
            Tls.serverHello(null), Tls.record(Tls.HANDSHAKE, Tls.handshake(11, new byte[40]))));
    cleveland.clientSends(Tls.applicationData(100));
    cleveland.close();
    network.tls13(Network.HUNGARY, 40002).close();

    JsonNode analysis = analyse();

    assertFalse(analysis.get("ok").asBoolean());
    assertViolation(analysis, "the ServerHello selected TLS 1.2, not TLS 1.3");
    assertViolation(analysis, "handshake message type 11 in plaintext");
  }

  @Test
  void aSiteThatTalksToAnotherSiteFails() throws Exception {
    network.tls13(Network.CLEVELAND, 40001).close();
    network.tls13(Network.HUNGARY, 40002).close();
    Conversation sideChannel = network.tls13(Network.CLEVELAND, 40003, Network.HUNGARY, 443);
    sideChannel.close();

    JsonNode analysis = analyse();

    assertFalse(analysis.get("ok").asBoolean());
    assertViolation(analysis, "site cleveland exchanged packets with hungary");
    assertTrue(analysis.get("site_peers").get("cleveland").has("hungary"));
  }

  @Test
  void aNonTcpPacketBetweenHostsFails() throws Exception {
    network.tls13(Network.CLEVELAND, 40001).close();
    network.tls13(Network.HUNGARY, 40002).close();
    network.udp(
        Network.CLEVELAND, Network.COORDINATOR, "patient 17".getBytes(StandardCharsets.UTF_8));

    JsonNode analysis = analyse();

    assertFalse(analysis.get("ok").asBoolean());
    assertEquals(2, analysis.get("non_tcp_packets_between_hosts").asInt(), "seen on both links");
    assertViolation(analysis, "non-TCP packets from cleveland to coordinator (IP protocol 17)");
  }

  @Test
  void aSegmentTheCaptureMissedIsNotPassedSilently() throws Exception {
    Conversation cleveland = network.tls13(Network.CLEVELAND, 40001);
    cleveland.clientSendsUncaptured(Tls.applicationData(200));
    cleveland.clientSends(Tls.applicationData(200));
    cleveland.close();
    network.tls13(Network.HUNGARY, 40002).close();

    JsonNode analysis = analyse();

    assertFalse(analysis.get("ok").asBoolean());
    assertViolation(analysis, "gap(s) the capture missed");
  }

  @Test
  void aSiteThatNeverReachedTheCoordinatorFails() throws Exception {
    network.tls13(Network.CLEVELAND, 40001).close();

    JsonNode analysis = analyse();

    assertFalse(analysis.get("ok").asBoolean());
    assertViolation(analysis, "site hungary never exchanged application data with coordinator");
  }

  private JsonNode analyse() throws IOException, InterruptedException {
    Path pcaps = Files.createDirectories(dir.resolve("capture"));
    network.writePcaps(pcaps);
    Path hosts = dir.resolve("hosts.json");
    Files.writeString(hosts, network.hostsJson());
    Path out = dir.resolve("analysis.json");
    Path script = Path.of(System.getProperty("medfed.repo.root"), "deploy/netns/capture.py");
    Process process =
        new ProcessBuilder(
                "python3",
                script.toString(),
                "analyse",
                "--pcap-dir",
                pcaps.toString(),
                "--hosts",
                hosts.toString(),
                "--out",
                out.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("analyse.log").toFile())
            .start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "capture.py analyse did not finish");
    String log = Files.readString(dir.resolve("analyse.log"));
    assertTrue(process.exitValue() == 0 || process.exitValue() == 1, log);
    JsonNode analysis = JSON.readTree(out.toFile());
    assertEquals(analysis.get("ok").asBoolean() ? 0 : 1, process.exitValue(), log);
    return analysis;
  }

  /** Why python3 cannot run here, or null when it can. */
  static String pythonMissing() {
    try {
      Process probe = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      probe.getInputStream().readAllBytes();
      return probe.waitFor(20, TimeUnit.SECONDS) && probe.exitValue() == 0
          ? null
          : "python3 --version failed, and the capture analysis is a python3 script";
    } catch (IOException e) {
      return "python3 is not installed, and the capture analysis is a python3 script";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while looking for python3";
    }
  }

  private static void assertViolation(JsonNode analysis, String fragment) {
    for (JsonNode violation : analysis.get("violations")) {
      if (violation.asText().contains(fragment)) {
        return;
      }
    }
    throw new AssertionError(
        "no violation mentions \"" + fragment + "\": " + analysis.get("violations"));
  }

  // ---- a synthetic network as the router sees it ----

  /** Hosts, the router link each one sits behind, and the frames captured on every link. */
  static final class Network {
    static final String COORDINATOR = "coordinator";
    static final String CLEVELAND = "cleveland";
    static final String HUNGARY = "hungary";
    private static final Map<String, byte[]> ADDRESSES =
        Map.of(
            COORDINATOR, new byte[] {10, 77, 0, 2},
            CLEVELAND, new byte[] {10, 77, 1, 2},
            HUNGARY, new byte[] {10, 77, 2, 2});

    private final Map<String, List<byte[]>> frames = new LinkedHashMap<>();
    private int clock;

    Network() {
      for (String host : List.of(COORDINATOR, CLEVELAND, HUNGARY)) {
        frames.put(host, new ArrayList<>());
      }
    }

    /** A connection from a site to the coordinator's port 7443, handshake done. */
    Conversation tls13(String site, int port) {
      return tls13(site, port, COORDINATOR, 7443);
    }

    Conversation tls13(String client, int clientPort, String server, int serverPort) {
      Conversation conversation = new Conversation(this, client, clientPort, server, serverPort);
      conversation.handshake();
      conversation.clientSends(Tls.concat(Tls.changeCipherSpec(), Tls.applicationData(80)));
      conversation.clientSends(Tls.applicationData(120));
      conversation.serverSends(Tls.applicationData(400));
      return conversation;
    }

    Conversation open(String site, int port) {
      Conversation conversation = new Conversation(this, site, port, COORDINATOR, 7443);
      conversation.connect();
      return conversation;
    }

    void udp(String from, String to, byte[] payload) {
      ByteBuffer udp = ByteBuffer.allocate(8 + payload.length);
      udp.putShort((short) 5353).putShort((short) 5353).putShort((short) (8 + payload.length));
      udp.putShort((short) 0).put(payload);
      capture(from, to, Frames.ipv4(ADDRESSES.get(from), ADDRESSES.get(to), 17, udp.array()));
    }

    /** The router sees a packet between two hosts on both of their links. */
    void capture(String from, String to, byte[] ipPacket) {
      byte[] frame = Frames.ethernet(ipPacket);
      for (String link : new String[] {from, to}) {
        frames.get(link).add(frame);
      }
    }

    void writePcaps(Path directory) throws IOException {
      StringBuilder stats = new StringBuilder("{");
      for (Map.Entry<String, List<byte[]>> link : frames.entrySet()) {
        ByteArrayOutputStream pcap = new ByteArrayOutputStream();
        pcap.writeBytes(
            ByteBuffer.allocate(24)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0xa1b2c3d4)
                .putShort((short) 2)
                .putShort((short) 4)
                .putInt(0)
                .putInt(0)
                .putInt(262144)
                .putInt(1)
                .array());
        for (byte[] frame : link.getValue()) {
          clock++;
          pcap.writeBytes(
              ByteBuffer.allocate(16)
                  .order(ByteOrder.LITTLE_ENDIAN)
                  .putInt(1_700_000_000 + clock / 1000)
                  .putInt((clock % 1000) * 1000)
                  .putInt(frame.length)
                  .putInt(frame.length)
                  .array());
          pcap.writeBytes(frame);
        }
        Files.write(directory.resolve("to-" + link.getKey() + ".pcap"), pcap.toByteArray());
        stats
            .append(stats.length() > 1 ? ", " : "")
            .append("\"to-%s\": {\"kernel_drops\": 0}".formatted(link.getKey()));
      }
      Files.writeString(directory.resolve("capture-stats.json"), stats.append("}").toString());
    }

    String hostsJson() {
      return """
          {"coordinator": {"name": "coordinator", "ip": "10.77.0.2"},
           "sites": [{"name": "cleveland", "ip": "10.77.1.2"},
                     {"name": "hungary", "ip": "10.77.2.2"}],
           "router_ips": ["10.77.0.1", "10.77.1.1", "10.77.2.1"],
           "links": {"to-coordinator": "coordinator", "to-cleveland": "cleveland",
                     "to-hungary": "hungary"}}
          """;
    }
  }

  /** One TCP connection: sequence numbers on both sides, every segment captured as sent. */
  static final class Conversation {
    private final Network network;
    private final String client;
    private final String server;
    private final int clientPort;
    private final int serverPort;
    private int clientSeq = 1_000_000;
    private int serverSeq = 2_000_000_000;
    private byte[] lastClientSegment;

    Conversation(Network network, String client, int clientPort, String server, int serverPort) {
      this.network = network;
      this.client = client;
      this.server = server;
      this.clientPort = clientPort;
      this.serverPort = serverPort;
    }

    void connect() {
      segment(true, clientSeq++, Frames.SYN, new byte[0]);
      segment(false, serverSeq++, Frames.SYN | Frames.ACK, new byte[0]);
      segment(true, clientSeq, Frames.ACK, new byte[0]);
    }

    void handshake() {
      connect();
      clientSends(Tls.clientHello(0x0304));
      serverSends(Tls.concat(Tls.serverHello(0x0304), Tls.changeCipherSpec()));
      serverSends(Tls.applicationData(1200));
    }

    void clientSends(byte[] data) {
      lastClientSegment = data;
      segment(true, clientSeq, Frames.ACK | Frames.PSH, data);
      clientSeq += data.length;
    }

    /** The router forwarded it, but the capture lost it: a hole in the recorded stream. */
    void clientSendsUncaptured(byte[] data) {
      clientSeq += data.length;
    }

    void retransmitLastClientSegment() {
      segment(
          true, clientSeq - lastClientSegment.length, Frames.ACK | Frames.PSH, lastClientSegment);
    }

    void serverSends(byte[] data) {
      segment(false, serverSeq, Frames.ACK | Frames.PSH, data);
      serverSeq += data.length;
    }

    /** Two segments whose second half arrives first, as after a loss and a retransmission. */
    void serverSendsOutOfOrder(byte[] data) {
      int half = data.length / 2;
      segment(
          false,
          serverSeq + half,
          Frames.ACK | Frames.PSH,
          Arrays.copyOfRange(data, half, data.length));
      segment(false, serverSeq, Frames.ACK, Arrays.copyOf(data, half));
      serverSeq += data.length;
    }

    void close() {
      segment(true, clientSeq++, Frames.FIN | Frames.ACK, new byte[0]);
      segment(false, serverSeq++, Frames.FIN | Frames.ACK, new byte[0]);
      segment(true, clientSeq, Frames.ACK, new byte[0]);
    }

    private void segment(boolean fromClient, int seq, int flags, byte[] payload) {
      String from = fromClient ? client : server;
      String to = fromClient ? server : client;
      byte[] tcp =
          Frames.tcp(
              fromClient ? clientPort : serverPort,
              fromClient ? serverPort : clientPort,
              seq,
              fromClient ? serverSeq : clientSeq,
              flags,
              payload);
      network.capture(
          from, to, Frames.ipv4(Network.ADDRESSES.get(from), Network.ADDRESSES.get(to), 6, tcp));
    }
  }

  /** Ethernet, IPv4 and TCP framing, just enough for the analyser (TCP checksums left 0). */
  static final class Frames {
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int PSH = 0x08;
    static final int ACK = 0x10;

    static byte[] ethernet(byte[] ipPacket) {
      return ByteBuffer.allocate(14 + ipPacket.length)
          .put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2})
          .putShort((short) 0x0800)
          .put(ipPacket)
          .array();
    }

    static byte[] ipv4(byte[] source, byte[] destination, int protocol, byte[] payload) {
      ByteBuffer ip = ByteBuffer.allocate(20 + payload.length);
      ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length));
      ip.putShort((short) 0).putShort((short) 0x4000).put((byte) 64).put((byte) protocol);
      ip.putShort((short) 0).put(source).put(destination);
      int sum = 0;
      for (int i = 0; i < 20; i += 2) {
        sum += ((ip.get(i) & 0xff) << 8) | (ip.get(i + 1) & 0xff);
      }
      while (sum > 0xffff) {
        sum = (sum & 0xffff) + (sum >>> 16);
      }
      ip.putShort(10, (short) ~sum);
      return ip.put(payload).array();
    }

    static byte[] tcp(
        int sourcePort, int destinationPort, int seq, int ack, int flags, byte[] data) {
      return ByteBuffer.allocate(20 + data.length)
          .putShort((short) sourcePort)
          .putShort((short) destinationPort)
          .putInt(seq)
          .putInt(ack)
          .put((byte) 0x50)
          .put((byte) flags)
          .putShort((short) 65535)
          .putInt(0)
          .put(data)
          .array();
    }
  }

  /** TLS records and hello messages as RFC 8446 lays them out. */
  static final class Tls {
    static final int CHANGE_CIPHER_SPEC = 20;
    static final int HANDSHAKE = 22;
    static final int APPLICATION_DATA = 23;
    private static final int SUPPORTED_VERSIONS = 43;

    static byte[] record(int type, byte[] body) {
      return record(type, 0x0303, body);
    }

    static byte[] record(int type, int version, byte[] body) {
      return ByteBuffer.allocate(5 + body.length)
          .put((byte) type)
          .putShort((short) version)
          .putShort((short) body.length)
          .put(body)
          .array();
    }

    static byte[] handshake(int type, byte[] body) {
      return ByteBuffer.allocate(4 + body.length)
          .putInt((type << 24) | body.length)
          .put(body)
          .array();
    }

    static byte[] clientHello(int... versions) {
      ByteBuffer extension = ByteBuffer.allocate(5 + 2 * versions.length);
      extension.putShort((short) SUPPORTED_VERSIONS).putShort((short) (1 + 2 * versions.length));
      extension.put((byte) (2 * versions.length));
      for (int version : versions) {
        extension.putShort((short) version);
      }
      byte[] extensions = extension.array();
      ByteBuffer body = ByteBuffer.allocate(2 + 32 + 33 + 4 + 2 + 2 + extensions.length);
      body.putShort((short) 0x0303).put(new byte[32]).put((byte) 32).put(new byte[32]);
      body.putShort((short) 2).putShort((short) 0x1301).put((byte) 1).put((byte) 0);
      body.putShort((short) extensions.length).put(extensions);
      // The first ClientHello may carry legacy record version 0x0301 (RFC 8446 5.1).
      return record(HANDSHAKE, 0x0301, handshake(1, body.array()));
    }

    /** A ServerHello; a null version leaves out supported_versions, which means TLS 1.2. */
    static byte[] serverHello(Integer version) {
      byte[] extensions =
          version == null
              ? new byte[0]
              : ByteBuffer.allocate(6)
                  .putShort((short) SUPPORTED_VERSIONS)
                  .putShort((short) 2)
                  .putShort((short) (int) version)
                  .array();
      ByteBuffer body = ByteBuffer.allocate(2 + 32 + 33 + 3 + 2 + extensions.length);
      body.putShort((short) 0x0303).put(new byte[32]).put((byte) 32).put(new byte[32]);
      body.putShort((short) 0x1301).put((byte) 0);
      body.putShort((short) extensions.length).put(extensions);
      return record(HANDSHAKE, handshake(2, body.array()));
    }

    static byte[] changeCipherSpec() {
      return record(CHANGE_CIPHER_SPEC, new byte[] {1});
    }

    static byte[] applicationData(int length) {
      byte[] ciphertext = new byte[length];
      new java.util.Random(length).nextBytes(ciphertext);
      return record(APPLICATION_DATA, ciphertext);
    }

    static byte[] concat(byte[]... parts) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (byte[] part : parts) {
        out.writeBytes(part);
      }
      return out.toByteArray();
    }
  }
}
