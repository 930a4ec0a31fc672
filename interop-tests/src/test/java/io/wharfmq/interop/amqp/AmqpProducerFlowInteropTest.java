package io.wharfmq.interop.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.rocketmq.remoting.protocol.admin.TopicOffset;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producer flow control that follows the consumers (docs/amqp.md, "Flow control") against a real
 * Wharf process with {@code amqpProducerFlowHighMark=1000}, Qpid JMS producers with {@code
 * jms.forceAsyncSend} (they send as fast as credit allows) and the stored count read with Apache
 * RocketMQ's admin API: with a slow consumer attached the backlog (stored, not yet received) stays
 * near the high mark instead of growing with the producer, the producer finishes once the consumer
 * catches up, and the consumer gets every message exactly once; without a consumer the producer is
 * never held.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AmqpProducerFlowInteropTest {
  static final int HIGH_MARK = 1000;

  /**
   * The most the backlog may reach while held: the high mark, plus the one window of credit (1000)
   * a producer may have been granted just below it, plus what the consumer holds (prefetch 50 and
   * one pop of 32) and a margin for messages stored between the two reads of the figure.
   */
  static final long HELD_BOUND = HIGH_MARK + 1000 + 50 + 32 + 100;

  static final int BODY = 100;

  @TempDir static Path shared;
  static WharfAmqpBroker broker;
  static DefaultMQAdminExt admin;
  private final List<Connection> connections = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    broker = new WharfAmqpBroker().configure(null, "amqpProducerFlowHighMark=" + HIGH_MARK);
    broker.start(shared.resolve("wharf"));
    admin = new DefaultMQAdminExt();
    admin.setNamesrvAddr(broker.namesrvAddr());
    admin.setInstanceName(AmqpBrokerUnderTest.unique("flow-admin"));
    admin.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (admin != null) {
      admin.shutdown();
    }
    broker.stop();
  }

  @AfterEach
  void closeConnections() {
    for (Connection c : connections) {
      try {
        c.close();
      } catch (JMSException | RuntimeException e) {
        // the test's own result matters, not a failed close
      }
    }
    connections.clear();
  }

  private Session session(String options) throws JMSException {
    Connection c = broker.jmsFactory(options).createConnection();
    connections.add(c);
    c.start();
    return c.createSession(false, Session.AUTO_ACKNOWLEDGE);
  }

  /** Messages the queue's topic holds, summed over its queues, as the broker's admin API says. */
  private static long stored(String queue) {
    try {
      long n = 0;
      for (TopicOffset o : admin.examineTopicStats(queue).getOffsetTable().values()) {
        n += o.getMaxOffset() - o.getMinOffset();
      }
      return n;
    } catch (Exception e) {
      return -1; // the route is not at the name server yet
    }
  }

  /** Sends {@code n} numbered messages asynchronously; counts the sends that returned. */
  private CompletableFuture<Void> produce(String queue, int n, AtomicInteger sent)
      throws JMSException {
    Session s = session("jms.forceAsyncSend=true");
    MessageProducer p = s.createProducer(s.createQueue(queue));
    byte[] body = new byte[BODY];
    return CompletableFuture.runAsync(
        () -> {
          try {
            for (int i = 0; i < n; i++) {
              BytesMessage m = s.createBytesMessage();
              m.writeBytes(body);
              m.setIntProperty("seq", i);
              p.send(m);
              sent.incrementAndGet();
            }
          } catch (JMSException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @Test
  void anAsyncProducerWaitsForASlowConsumerAndResumesWhenItCatchesUp() throws Exception {
    String queue = AmqpBrokerUnderTest.unique("flow-slow");
    int total = 10_000;
    Session cs = session("jms.prefetchPolicy.all=50");
    MessageConsumer consumer = cs.createConsumer(cs.createQueue(queue));
    BitSet seen = new BitSet(total);
    AtomicInteger received = new AtomicInteger();
    AtomicInteger duplicates = new AtomicInteger();
    AtomicLong pauseNanos = new AtomicLong(TimeUnit.MILLISECONDS.toNanos(2));
    consumer.setMessageListener(
        m -> {
          int seq = seq(m);
          synchronized (seen) {
            if (seen.get(seq)) {
              duplicates.incrementAndGet();
            }
            seen.set(seq);
          }
          received.incrementAndGet();
          long pause = pauseNanos.get();
          if (pause > 0) {
            LockSupport.parkNanos(pause); // a slow application, some hundred messages a second
          }
        });

    AtomicInteger sent = new AtomicInteger();
    CompletableFuture<Void> producing = produce(queue, total, sent);

    // While the consumer is slow, the backlog grows to the high mark and stops there.
    AtomicLong most = new AtomicLong();
    Awaitility.await("the slow consumer has taken 1500 messages")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              long stored = stored(queue);
              if (stored >= 0) {
                most.accumulateAndGet(stored - received.get(), Math::max);
              }
              return received.get() >= 1500;
            });
    System.out.printf(
        "held: largest backlog %d, sends returned %d of %d%n", most.get(), sent.get(), total);
    assertThat(most.get())
        .as("largest backlog seen while the consumer was slow (producer sent %d)", sent.get())
        .isGreaterThan(HIGH_MARK / 2)
        .isLessThanOrEqualTo(HELD_BOUND);
    assertThat(sent.get()).as("sends returned while held").isLessThan(total);

    // The consumer catches up: the producer gets credit again and finishes.
    pauseNanos.set(0);
    producing.get(60, TimeUnit.SECONDS);
    Awaitility.await("every message received")
        .atMost(Duration.ofSeconds(60))
        .until(() -> received.get() >= total);
    Awaitility.await("nothing more arrives")
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> received.get() == total);
    assertThat(duplicates.get()).as("duplicates").isZero();
    synchronized (seen) {
      assertThat(seen.cardinality()).as("distinct messages").isEqualTo(total);
    }
    assertThat(stored(queue)).isEqualTo(total);
  }

  @Test
  void withoutAConsumerTheProducerIsNeverHeld() throws Exception {
    String queue = AmqpBrokerUnderTest.unique("flow-away");
    // A consumer was there and went away: nothing of it may hold the producer.
    Session cs = session("");
    cs.createConsumer(cs.createQueue(queue)).close();
    int total = 6 * HIGH_MARK;
    AtomicInteger sent = new AtomicInteger();
    produce(queue, total, sent).get(60, TimeUnit.SECONDS);
    Awaitility.await("all " + total + " messages stored")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> stored(queue) == total);
  }

  private static int seq(Message m) {
    try {
      return m.getIntProperty("seq");
    } catch (JMSException e) {
      throw new IllegalStateException(e);
    }
  }
}
