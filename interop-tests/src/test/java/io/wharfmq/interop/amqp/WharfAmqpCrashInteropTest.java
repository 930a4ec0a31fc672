package io.wharfmq.interop.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a Wharf process while Qpid JMS producers (persistent, synchronous sends) and a
 * consumer run, ten rounds on one data directory: every send that Qpid JMS completed is consumed
 * afterwards (in a later round or by the final drain, which waits out the invisibility time of
 * deliveries that were unsettled at the kill); duplicates (a message consumed twice after a crash
 * cut its acknowledgement) are counted and printed, not failed. Wharf only: Artemis runs embedded
 * in the test JVM and cannot be killed.
 *
 * <p>The seed of the kill times is printed; {@code -Dwharf.crash.seed=N} repeats a run.
 */
@Disabled("until the AMQP listener lands (branches amqp-transport and amqp-links)")
class WharfAmqpCrashInteropTest {
  static final int ROUNDS = 10;

  @TempDir Path dir;

  @Test
  @Timeout(value = 900, unit = TimeUnit.SECONDS)
  void everyCompletedSendIsConsumedAfterKillNineRounds() throws Exception {
    long seed = Long.getLong("wharf.crash.seed", System.nanoTime());
    System.out.println("WharfAmqpCrashInteropTest seed " + seed);
    Random random = new Random(seed);
    String queue = AmqpBrokerUnderTest.unique("crash");
    Set<String> completed = Collections.synchronizedSet(new HashSet<>());
    Set<String> attempted = Collections.synchronizedSet(new HashSet<>());
    List<String> consumed = Collections.synchronizedList(new ArrayList<>());
    WharfAmqpBroker broker = new WharfAmqpBroker();
    broker.start(dir.resolve("wharf"));
    long lastKill = 0;
    try {
      for (int round = 0; round < ROUNDS; round++) {
        if (round > 0) {
          broker.restart();
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
          String prefix = "r" + round + "p" + p + "-";
          clients.add(
              start(
                  "producer-" + prefix,
                  () -> produce(broker, queue, prefix, stop, attempted, completed)));
        }
        clients.add(start("consumer-r" + round, () -> consume(broker, queue, stop, consumed)));
        int before = completed.size();
        Awaitility.await("round " + round + ": some sends completed")
            .atMost(Duration.ofSeconds(60))
            .until(() -> completed.size() > before + 20);
        long extraMillis = 100 + random.nextInt(900);
        long killAt = System.currentTimeMillis() + extraMillis;
        Awaitility.await("round " + round + ": " + extraMillis + " ms more load")
            .atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> System.currentTimeMillis() >= killAt);
        broker.kill();
        lastKill = System.currentTimeMillis();
        stop.set(true);
        for (Thread t : clients) {
          t.join(Duration.ofSeconds(60).toMillis());
          assertThat(t.isAlive()).as("%s ended after the kill", t.getName()).isFalse();
        }
      }
      broker.restart();
      // Deliveries that were unsettled when the broker died (Qpid JMS prefetches) come back only
      // after the invisibility time: read until every completed send is seen, or that time passed.
      long until = lastKill + WharfAmqpBroker.UNSETTLED_RETURN_AFTER_CRASH.toMillis() + 20_000;
      consumeRest(broker, queue, consumed, completed, until);
    } finally {
      broker.stop();
    }

    Map<String, Integer> counts = new HashMap<>();
    for (String id : consumed) {
      counts.merge(id, 1, Integer::sum);
    }
    long duplicates = counts.values().stream().filter(c -> c > 1).count();
    System.out.printf(
        "WharfAmqpCrashInteropTest: %d rounds, %d sends completed, %d attempted, %d consumed,"
            + " %d distinct, %d consumed more than once%n",
        ROUNDS, completed.size(), attempted.size(), consumed.size(), counts.size(), duplicates);
    assertThat(counts.keySet())
        .as("every send Qpid JMS completed is consumed")
        .containsAll(completed);
    assertThat(attempted).as("nothing consumed that no one sent").containsAll(counts.keySet());
  }

  private static Thread start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.start();
    return t;
  }

  /** Sends persistent messages one by one until the broker dies or {@code stop}. */
  private static void produce(
      AmqpBrokerUnderTest broker,
      String queue,
      String prefix,
      AtomicBoolean stop,
      Set<String> attempted,
      Set<String> completed) {
    try {
      Connection c = broker.jmsFactory("jms.forceSyncSend=true").createConnection();
      try {
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(s.createQueue(queue));
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        for (int i = 0; !stop.get(); i++) {
          String id = prefix + i;
          attempted.add(id);
          p.send(s.createTextMessage(id));
          completed.add(id);
        }
      } finally {
        closeQuietly(c);
      }
    } catch (JMSException expectedWhenKilled) {
      // the broker died under the send: this send is not completed
    }
  }

  /** Receives (auto-acknowledged) until the broker dies or {@code stop}. */
  private static void consume(
      AmqpBrokerUnderTest broker, String queue, AtomicBoolean stop, List<String> consumed) {
    try {
      // A small prefetch: fewer deliveries are stranded (invisible) in the client when it dies.
      Connection c = broker.jmsFactory("jms.prefetchPolicy.all=10").createConnection();
      try {
        c.start();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer mc = s.createConsumer(s.createQueue(queue));
        while (!stop.get()) {
          Message m = mc.receive(200);
          if (m != null) {
            consumed.add(((TextMessage) m).getText());
          }
        }
      } finally {
        closeQuietly(c);
      }
    } catch (JMSException expectedWhenKilled) {
      // the broker died: what was received is recorded
    }
  }

  /**
   * Receives what is left after the last restart, until every completed send has been consumed or
   * {@code untilMillis}.
   */
  private static void consumeRest(
      AmqpBrokerUnderTest broker,
      String queue,
      List<String> consumed,
      Set<String> completed,
      long untilMillis)
      throws JMSException {
    Connection c = broker.jmsFactory("").createConnection();
    try {
      c.start();
      Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
      Queue q = s.createQueue(queue);
      MessageConsumer mc = s.createConsumer(q);
      while (System.currentTimeMillis() < untilMillis
          && !new HashSet<>(consumed).containsAll(completed)) {
        Message m = mc.receive(1_000);
        if (m != null) {
          consumed.add(((TextMessage) m).getText());
        }
      }
    } finally {
      c.close();
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (JMSException e) {
      // closing a connection to a killed broker fails; nothing to do
    }
  }
}
