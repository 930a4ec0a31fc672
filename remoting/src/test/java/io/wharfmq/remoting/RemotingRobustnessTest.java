package io.wharfmq.remoting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.wharfmq.remoting.codec.FrameLayout;
import io.wharfmq.remoting.codec.RemotingCommandCodec;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.netty.RemotingException;
import io.wharfmq.remoting.netty.RemotingServer;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.ResponseSerializeType;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real server and real sockets: calls of every kind, and every kind of bad input. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemotingRobustnessTest {
  static final int ECHO = 9001;
  static final int ONEWAY = 9002;
  RemotingServer server;
  RemotingClient client;
  ExecutorService executor = Executors.newFixedThreadPool(4);
  AtomicInteger onewayCount = new AtomicInteger();
  AtomicReference<RemotingChannel> lastChannel = new AtomicReference<>();
  String address;

  @BeforeEach
  void start() throws Exception {
    server = new RemotingServer("test", "127.0.0.1", 0, 64 * 1024, 120, ResponseSerializeType.AUTO);
    server.registerProcessor(
        ECHO,
        (ch, req) -> {
          lastChannel.set(ch);
          RemotingCommand r = RemotingCommand.responseTo(req, ResponseCode.SUCCESS, null);
          r.put("echo", req.get("value"));
          r.body(req.body());
          return r;
        },
        executor);
    server.registerProcessor(
        ONEWAY,
        (ch, req) -> {
          onewayCount.incrementAndGet();
          return null;
        },
        executor);
    server.start();
    address = "127.0.0.1:" + server.port();
    client = new RemotingClient("test-client");
  }

  @AfterEach
  void stop() {
    client.shutdown();
    server.shutdown();
    executor.shutdownNow();
  }

  RemotingCommand echo(String value) throws Exception {
    RemotingCommand req = RemotingCommand.request(ECHO).put("value", value);
    req.body(value.getBytes(StandardCharsets.UTF_8));
    return client.invokeSync(address, req, 3000);
  }

  @Test
  void syncAsyncAndOnewayCalls() throws Exception {
    RemotingCommand r = echo("a\u0001b\u0002");
    assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
    assertThat(r.get("echo")).isEqualTo("a\u0001b\u0002");
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("a\u0001b\u0002");

    RemotingCommand async =
        client
            .invokeAsync(address, RemotingCommand.request(ECHO).put("value", "x"), 3000)
            .get(5, TimeUnit.SECONDS);
    assertThat(async.get("echo")).isEqualTo("x");

    for (int i = 0; i < 10; i++) {
      client.invokeOneway(address, RemotingCommand.request(ONEWAY));
    }
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> onewayCount.get() == 10);
  }

  @Test
  void serverCanCallTheClientOverItsOwnConnection() throws Exception {
    client.registerProcessor(
        7777,
        (ch, req) -> RemotingCommand.responseTo(req, ResponseCode.SUCCESS, "pong " + req.get("n")),
        executor);
    echo("hello");
    RemotingCommand back =
        lastChannel
            .get()
            .invoke(RemotingCommand.request(7777).put("n", 5), 3000)
            .get(5, TimeUnit.SECONDS);
    assertThat(back.remark()).isEqualTo("pong 5");
  }

  @Test
  void unknownCodeGetsRequestCodeNotSupported() throws Exception {
    RemotingCommand r = client.invokeSync(address, RemotingCommand.request(4242), 3000);
    assertThat(r.code()).isEqualTo(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    assertThat(r.remark()).contains("4242");
    assertThat(echo("still fine").code()).isZero();
  }

  @Test
  void timeoutIsReported() {
    server.registerProcessor(
        ECHO,
        (ch, req) -> null, // never answers
        executor);
    assertThatThrownBy(() -> client.invokeSync(address, RemotingCommand.request(ECHO), 300))
        .isInstanceOf(RemotingException.class)
        .hasMessageContaining("within 300 ms");
  }

  /** Writes raw bytes on a fresh socket; returns true if the server closed it. */
  boolean serverCloses(byte[] bytes) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(bytes);
      out.flush();
      InputStream in = s.getInputStream();
      return in.read() == -1;
    }
  }

  static byte[] frame(int serializeType, byte[] header, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + body.length);
    b.putInt(4 + header.length + body.length);
    b.putInt(FrameLayout.headerWord(serializeType, header.length));
    b.put(header).put(body);
    return b.array();
  }

  @Test
  void garbageBadJsonOversizedAndTruncatedFramesCloseOnlyThatConnection() throws Exception {
    assertThat(
            serverCloses("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
        .as("garbage")
        .isTrue();
    assertThat(
            serverCloses(frame(0, "{\"code\":34,".getBytes(StandardCharsets.UTF_8), new byte[0])))
        .as("bad JSON")
        .isTrue();
    assertThat(serverCloses(frame(0, "[1,2]".getBytes(StandardCharsets.UTF_8), new byte[0])))
        .as("JSON not an object")
        .isTrue();
    assertThat(serverCloses(frame(7, "{}".getBytes(StandardCharsets.UTF_8), new byte[0])))
        .as("unknown serialize type")
        .isTrue();
    byte[] huge = ByteBuffer.allocate(8).putInt(64 * 1024 * 1024).putInt(10).array();
    assertThat(serverCloses(huge)).as("oversized").isTrue();
    byte[] lying = ByteBuffer.allocate(12).putInt(8).putInt(1000).putInt(0).array();
    assertThat(serverCloses(lying)).as("header longer than frame").isTrue();
    // Truncated: half a frame, then the client goes away.
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      byte[] f =
          frame(
              0,
              "{\"code\":9001,\"flag\":0,\"opaque\":1}".getBytes(StandardCharsets.UTF_8),
              new byte[0]);
      s.getOutputStream().write(f, 0, f.length / 2);
    }
    assertThat(echo("after all that").get("echo")).isEqualTo("after all that");
  }

  @Test
  void acceptsTheBinaryRocketmqHeaderAndAnswersInIt() throws Exception {
    // GET_ROUTEINFO (105) with remark "r" and topic=TopicTest, as captured from the RocketMQ
    // client,
    // re-targeted at the echo code.
    byte[] captured =
        HexFormat.of()
            .parseHex(
                "0000002e0100002a00690001db0000000e00000000000000017200000014"
                    + "0005746f70696300000009546f70696354657374");
    ByteBuf buf = Unpooled.wrappedBuffer(captured, 4, captured.length - 4);
    RemotingCommand decoded = RemotingCommandCodec.decode(buf);
    assertThat(decoded.code()).isEqualTo(105);
    assertThat(decoded.extFields()).isEqualTo(Map.of("topic", "TopicTest"));

    ByteBuffer h = ByteBuffer.allocate(64);
    h.putShort((short) ECHO).put((byte) 0).putShort((short) 475).putInt(77).putInt(0);
    h.putInt(0); // no remark
    byte[] k = "value".getBytes(StandardCharsets.UTF_8);
    byte[] v = "bin".getBytes(StandardCharsets.UTF_8);
    h.putInt(2 + k.length + 4 + v.length).putShort((short) k.length).put(k).putInt(v.length).put(v);
    byte[] header = java.util.Arrays.copyOf(h.array(), h.position());
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(frame(1, header, new byte[0]));
      DataInputStream in = new DataInputStream(s.getInputStream());
      int length = in.readInt();
      byte[] rest = new byte[length];
      in.readFully(rest);
      RemotingCommand r = RemotingCommandCodec.decode(Unpooled.wrappedBuffer(rest));
      assertThat(r.serializeType()).isEqualTo(RemotingCommand.SerializeType.ROCKETMQ);
      assertThat(r.opaque()).isEqualTo(77);
      assertThat(r.isResponse()).isTrue();
      assertThat(r.get("echo")).isEqualTo("bin");
    }
  }

  @Test
  void answersJavaClientsInBinaryAndOthersInJson() throws Exception {
    // The official Java client's JSON header (version 475 = 5.3.1) gets a binary answer; a Go
    // client's, or a Java client older than 4.0, gets JSON; the answer's fields are the same.
    Map<String, Integer> expected =
        Map.of(
            "JAVA\",\"version\":475", RemotingCommand.SerializeType.ROCKETMQ,
            "GO\",\"version\":475", RemotingCommand.SerializeType.JSON,
            "JAVA\",\"version\":137", RemotingCommand.SerializeType.JSON);
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      int opaque = 100;
      for (Map.Entry<String, Integer> e : expected.entrySet()) {
        String json =
            "{\"code\":9001,\"extFields\":{\"value\":\"v\u00e9\"},\"flag\":0,\"language\":\""
                + e.getKey()
                + ",\"opaque\":"
                + opaque
                + "}";
        s.getOutputStream().write(frame(0, json.getBytes(StandardCharsets.UTF_8), new byte[] {7}));
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] rest = new byte[in.readInt()];
        in.readFully(rest);
        RemotingCommand r = RemotingCommandCodec.decode(Unpooled.wrappedBuffer(rest));
        assertThat(r.serializeType()).as(e.getKey()).isEqualTo(e.getValue());
        assertThat(r.opaque()).isEqualTo(opaque++);
        assertThat(r.isResponse()).isTrue();
        assertThat(r.get("echo")).isEqualTo("v\u00e9");
        assertThat(r.body()).containsExactly(7);
      }
    }
  }
}
