package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.broker.Broker;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Write back-pressure of the AMQP listener (docs/amqp.md "Back-pressure") with a real broker in
 * this JVM and real sockets: a raw receiver with a large credit on a queue of many 64 KiB messages
 * that stops reading does not make Wharf buffer the queue for it, other clients go on being served,
 * and once it reads again every message has been delivered exactly once; a peer that sends and
 * never reads is not read either.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AmqpBackPressureInteropTest {
  static final int MESSAGES = 300;
  static final int SIZE = 64 * 1024;
  static final String QUEUE = "bp-slow";

  /** Generous against the expected bound (about 2 x 128 KiB + a frame + a message). */
  static final long BUFFER_BOUND = 2L * 1024 * 1024;

  @TempDir Path dir;
  private WharfCluster cluster;
  private Broker broker;
  private AmqpListener amqp;
  private final List<Connection> connections = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cluster = new WharfCluster(dir);
    broker = cluster.startBroker("b1");
    // No idle timeout: the raw peer sends no heartbeats, and silence is not the subject here.
    amqp = cluster.startAmqp(broker, WharfCluster.amqpConfig().amqpIdleTimeoutMs(0));
  }

  @AfterEach
  void stop() throws Exception {
    for (Connection c : connections) {
      try {
        c.close();
      } catch (Exception e) {
        // already gone
      }
    }
    cluster.close();
  }

  private Connection connect() throws Exception {
    return connect(amqp);
  }

  private Connection connect(AmqpListener listener) throws Exception {
    Connection c =
        new JmsConnectionFactory("amqp://127.0.0.1:" + listener.port()).createConnection();
    connections.add(c);
    c.start();
    return c;
  }

  private void fill(String queue, int count) throws Exception {
    Connection c = connect();
    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    MessageProducer p = s.createProducer(s.createQueue(queue));
    byte[] body = new byte[SIZE];
    new Random(42).nextBytes(body);
    for (int i = 0; i < count; i++) {
      BytesMessage m = s.createBytesMessage();
      m.writeBytes(body);
      m.setIntProperty("n", i);
      p.send(m);
    }
    s.close();
  }

  /** Another client, on another queue, sends and receives while the slow reader is stuck. */
  private void anotherClientIsServed() throws Exception {
    Session s = connect().createSession(false, Session.AUTO_ACKNOWLEDGE);
    Queue q = s.createQueue("bp-other");
    MessageProducer p = s.createProducer(q);
    MessageConsumer consumer = s.createConsumer(q);
    for (int i = 0; i < 10; i++) {
      p.send(s.createTextMessage("other-" + i));
      Message m = consumer.receive(10_000);
      assertThat(m).as("other client's message %d", i).isNotNull();
      assertThat(((TextMessage) m).getText()).isEqualTo("other-" + i);
    }
    s.close();
  }

  /** What a JMS consumer of the queue gets until the queue stays empty for {@code quietMillis}. */
  private List<Integer> drainWithJms(String queue, long quietMillis) throws Exception {
    Session s = connect().createSession(false, Session.AUTO_ACKNOWLEDGE);
    MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
    List<Integer> got = new ArrayList<>();
    Message m;
    while ((m = consumer.receive(quietMillis)) != null) {
      got.add(m.getIntProperty("n"));
    }
    s.close();
    return got;
  }

  @Test
  void aReceiverThatStopsReadingIsNotBufferedForAndGetsItsMessagesLaterExactlyOnce()
      throws Exception {
    fill(QUEUE, MESSAGES);
    long high = WharfCluster.amqpConfig().amqpWriteBufferHighWaterMark();
    try (SlowAmqpReceiver slow = new SlowAmqpReceiver(amqp.port(), QUEUE, 100_000)) {
      // Wharf writes until the socket's buffers are full, then holds at most about a water mark.
      await().atMost(Duration.ofSeconds(30)).until(() -> amqp.bufferedBytesPeak() >= high);
      anotherClientIsServed();
      List<Integer> byJms = drainWithJms(QUEUE, 3_000);
      long peak = amqp.bufferedBytesPeak();
      assertThat(peak)
          .as(
              "most bytes buffered for one peer (%d messages of %d bytes were queued)",
              MESSAGES, SIZE)
          .isLessThan(BUFFER_BOUND);
      assertThat(byJms)
          .as("messages the stuck receiver left in the queue for others")
          .hasSizeGreaterThan(MESSAGES / 3);

      List<Integer> bySlow = slow.receive(MESSAGES - byJms.size(), 60_000);
      System.out.printf(
          "back-pressure: peak %d bytes buffered for one peer; JMS took %d, the slow reader %d%n",
          peak, byJms.size(), bySlow.size());
      assertThat(bySlow).as("the slow receiver's messages once it reads").doesNotHaveDuplicates();
      Set<Integer> all = new HashSet<>(byJms);
      assertThat(all).as("JMS got no duplicates").hasSize(byJms.size());
      for (int n : bySlow) {
        assertThat(all.add(n)).as("message %d delivered to both", n).isTrue();
      }
      assertThat(all).hasSize(MESSAGES);
    }
    // The slow receiver settled all it got; nothing is left or comes back.
    assertThat(drainWithJms(QUEUE, 2_000)).isEmpty();
  }

  @Test
  void aPeerThatSendsButNeverReadsIsNotReadEither() throws Exception {
    fill(QUEUE, 100);
    long high = WharfCluster.amqpConfig().amqpWriteBufferHighWaterMark();
    AtomicLong written = new AtomicLong();
    long total = 256L * 1024 * 1024;
    SlowAmqpReceiver peer = new SlowAmqpReceiver(amqp.port(), QUEUE, 100_000);
    Thread writer = new Thread(() -> peer.writeEmptyFrames(total, written), "never-reads");
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> amqp.bufferedBytesPeak() >= high);
      writer.start();
      // Read by Wharf, 256 MiB of empty frames would take a second or two; unread, the writer
      // stops once the two sockets' buffers (well under 8 MiB here) are full.
      await()
          .pollDelay(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(10))
          .until(() -> written.get() < 8L * 1024 * 1024 && writer.isAlive());
      anotherClientIsServed();
      System.out.printf(
          "back-pressure: the peer that never reads wrote %d bytes; peak %d bytes buffered%n",
          written.get(), amqp.bufferedBytesPeak());
      assertThat(written.get()).isLessThan(8L * 1024 * 1024);
      assertThat(amqp.bufferedBytesPeak()).isLessThan(BUFFER_BOUND);
    } finally {
      peer.abort();
      writer.join(10_000);
    }
    // Its unsettled messages went back to the queue with the connection.
    assertThat(new HashSet<>(drainWithJms(QUEUE, 3_000))).hasSize(100);
  }

  @Test
  void aStuckReceiverThatWharfClosesIsClosedWithoutItsCloseFrameAndLosesNothing() throws Exception {
    // A second listener on the same broker whose idle timeout closes the stuck peer: Wharf reads
    // nothing from it while it is stuck, so after 2 s its engine closes the connection, and the
    // close frame cannot get past the unread output.
    AmqpListener strict =
        cluster.startAmqp(broker, WharfCluster.amqpConfig().amqpIdleTimeoutMs(2_000));
    Logger badInput = (Logger) LoggerFactory.getLogger("io.wharfmq.amqp.transport.BadInput");
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    badInput.addAppender(logged);
    fill(QUEUE, 100);
    long high = WharfCluster.amqpConfig().amqpWriteBufferHighWaterMark();
    SlowAmqpReceiver slow = new SlowAmqpReceiver(strict.port(), QUEUE, 100_000);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> strict.bufferedBytesPeak() >= high);
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(strict.connections()).isZero());
    } finally {
      badInput.detachAppender(logged);
      slow.abort();
    }
    assertThat(logged.list)
        .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("the peer does not read"));
    // Everything it was sent and never read went back to the queue: each message once.
    List<Integer> back = drainWithJms(QUEUE, 3_000);
    assertThat(back).doesNotHaveDuplicates().hasSize(100);
  }
}
