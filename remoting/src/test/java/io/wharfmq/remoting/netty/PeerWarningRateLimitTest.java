package io.wharfmq.remoting.netty;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wharfmq.remoting.codec.FrameLayout;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.ResponseSerializeType;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Many garbage connections over real sockets: the server writes a bounded number of warnings per
 * peer and in all, and reports how many it held back once the limit lifts.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerWarningRateLimitTest {
  static final int PER_PEER = 3;
  static final int OVERALL = 5;
  static final long WINDOW = 60_000;

  final AtomicLong now = new AtomicLong(1_000_000);
  final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
  final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  final Logger endpointLog = (Logger) LoggerFactory.getLogger(RemotingEndpoint.class);
  RemotingServer server;

  @BeforeEach
  void start() throws Exception {
    logged.start();
    endpointLog.addAppender(logged);
    server = new RemotingServer("test", "0.0.0.0", 0, 64 * 1024, 120, ResponseSerializeType.AUTO);
    server.warningLimiter(new PeerWarningLimiter(clock, PER_PEER, OVERALL, WINDOW));
    server.start();
  }

  @AfterEach
  void stop() {
    server.shutdown();
    endpointLog.detachAppender(logged);
  }

  /**
   * One connection from {@code localIp} that sends a bad frame; returns once the server closed it.
   */
  void garbageFrom(String localIp, byte[] bytes) throws Exception {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(localIp), 0));
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(bytes);
      out.flush();
      InputStream in = s.getInputStream();
      assertThat(in.read()).as("server closes the garbage connection").isEqualTo(-1);
    }
  }

  static byte[] badMagic() {
    // A frame whose header names serialize type 7: no such header format.
    byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + header.length)
        .putInt(4 + header.length)
        .putInt(FrameLayout.headerWord(7, header.length))
        .put(header)
        .array();
  }

  static byte[] oversized() {
    return ByteBuffer.allocate(8).putInt(64 * 1024 * 1024).putInt(10).array();
  }

  static byte[] http() {
    return "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  }

  List<String> warnings() {
    synchronized (logged.list) {
      return logged.list.stream()
          .filter(e -> e.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage)
          .toList();
    }
  }

  void awaitWarnings(int n) {
    Awaitility.await("warnings logged")
        .atMost(Duration.ofSeconds(10))
        .until(() -> warnings().size() >= n);
  }

  @Test
  void manyGarbageConnectionsFromOnePeerWriteAFewLinesThenTheCount() throws Exception {
    for (int i = 0; i < 40; i++) {
      garbageFrom("127.0.0.1", i % 3 == 0 ? badMagic() : i % 3 == 1 ? oversized() : http());
    }
    awaitWarnings(PER_PEER);
    assertThat(warnings()).hasSize(PER_PEER).allMatch(w -> w.contains("closing connection from"));
    assertThat(server.reportSuppressedWarnings()).as("window still open").isZero();

    now.addAndGet(WINDOW);
    assertThat(server.reportSuppressedWarnings()).isEqualTo(1);
    assertThat(warnings().get(PER_PEER))
        .contains("37 more warnings about 127.0.0.1 were suppressed")
        .contains("at most 3 per peer and 5 in all per 60 s");

    // The limit has lifted: the peer's next garbage is logged again, with nothing left to report.
    garbageFrom("127.0.0.1", badMagic());
    awaitWarnings(PER_PEER + 2);
    assertThat(warnings().get(PER_PEER + 1))
        .contains("malformed frame")
        .doesNotContain("suppressed");
  }

  @Test
  void countOfHeldBackLinesRidesOnThePeersNextLineAfterTheWindow() throws Exception {
    for (int i = 0; i < 10; i++) {
      garbageFrom("127.0.0.1", badMagic());
    }
    awaitWarnings(PER_PEER);
    now.addAndGet(WINDOW);
    garbageFrom("127.0.0.1", oversized());
    awaitWarnings(PER_PEER + 1);
    assertThat(warnings().get(PER_PEER))
        .contains("frame too large")
        .contains("(7 earlier warnings about this peer suppressed)");
    assertThat(server.reportSuppressedWarnings()).isZero();
  }

  @Test
  void requestCodesTheServerDoesNotServeAreLimitedToo() throws Exception {
    RemotingClient client = new RemotingClient("test-client");
    try {
      for (int i = 0; i < 20; i++) {
        RemotingCommand r =
            client.invokeSync("127.0.0.1:" + server.port(), RemotingCommand.request(4242), 5000);
        assertThat(r.code()).isEqualTo(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
      }
    } finally {
      client.shutdown();
    }
    awaitWarnings(PER_PEER);
    assertThat(warnings())
        .hasSize(PER_PEER)
        .allMatch(w -> w.contains("request code 4242 from 127.0.0.1:"));
    now.addAndGet(WINDOW);
    assertThat(server.reportSuppressedWarnings()).isEqualTo(1);
    assertThat(warnings().get(PER_PEER)).contains("17 more warnings about 127.0.0.1");
  }

  @Test
  void manyPeersTogetherAreLimitedOverall() throws Exception {
    // Linux routes all of 127.0.0.0/8 to the loopback interface: five distinct peers.
    for (int peer = 1; peer <= 5; peer++) {
      for (int i = 0; i < 4; i++) {
        garbageFrom("127.0.0." + peer, http());
      }
    }
    awaitWarnings(OVERALL);
    assertThat(warnings()).hasSize(OVERALL);
    now.addAndGet(WINDOW);
    int reports = server.reportSuppressedWarnings();
    List<String> summary = warnings().subList(OVERALL, warnings().size());
    assertThat(reports).isEqualTo(summary.size()).isGreaterThanOrEqualTo(2);
    long total =
        summary.stream()
            .mapToLong(w -> Long.parseLong(w.replaceAll("^test: (\\d+) more warnings.*$", "$1")))
            .sum();
    assertThat(total).as("every held-back line is counted").isEqualTo(20 - OVERALL);
  }
}
