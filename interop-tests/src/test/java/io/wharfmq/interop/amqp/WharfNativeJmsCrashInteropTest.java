package io.wharfmq.interop.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.jms.WharfConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
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
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a Wharf process under Wharf's JMS provider (native protocol), ten rounds on one data
 * directory: a transacted producer sends transactions of {@link #PER_TX} messages (one {@code tx}
 * property, a {@code seq}) and a CLIENT_ACKNOWLEDGE consumer acknowledges each message it gets.
 * Afterwards every committed transaction is consumed, every transaction seen is whole (all {@link
 * #PER_TX} messages or none: no half-applied commit), and no message acknowledged in a round comes
 * back in that round (it may come back after a kill, when the ack did not reach the store).
 *
 * <p>Clients make new connections each round, as an application does after its ExceptionListener
 * fired: the broker restarts with another remoting port (listenPort=0), so a connection of the old
 * broker has nothing to resume. The seed of the kill times is printed; {@code -Dwharf.crash.seed=N}
 * repeats a run.
 */
class WharfNativeJmsCrashInteropTest {
  static final int ROUNDS = 10;
  static final int PER_TX = 3;

  @TempDir Path dir;

  /** One consumed message: its transaction, its place in it, and the round it came in. */
  private record Got(String tx, int seq, int round, boolean acked) {}

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void committedTransactionsAreWholeAndConsumedAfterKillNineRounds() throws Exception {
    long seed = Long.getLong("wharf.crash.seed", System.nanoTime());
    System.out.println("WharfNativeJmsCrashInteropTest seed " + seed);
    Random random = new Random(seed);
    String queue = AmqpBrokerUnderTest.unique("jmstx");
    Set<String> committed = Collections.synchronizedSet(new HashSet<>());
    List<Got> consumed = Collections.synchronizedList(new ArrayList<>());
    WharfAmqpBroker broker = new WharfAmqpBroker();
    long started = System.currentTimeMillis();
    broker.start(dir.resolve("wharf"));
    try {
      // The queue and its group exist before the first send, so nothing sent is missed.
      try (Connection c = factory(broker).createConnection()) {
        c.createSession(false, Session.AUTO_ACKNOWLEDGE).createConsumer(queueOf(c, queue)).close();
      }
      for (int round = 0; round < ROUNDS; round++) {
        if (round > 0) {
          broker.restart();
        }
        int r = round;
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients =
            List.of(
                start("producer-r" + r, () -> produce(broker, queue, r, stop, committed)),
                start("consumer-r" + r, () -> consume(broker, queue, r, stop, consumed)));
        int before = committed.size();
        Awaitility.await("round " + r + ": some transactions committed")
            .atMost(Duration.ofSeconds(30))
            .until(() -> committed.size() >= before + 2);
        long killAt = System.currentTimeMillis() + 20 + random.nextInt(200);
        Awaitility.await("round " + r + ": more load")
            .atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(5))
            .until(() -> System.currentTimeMillis() >= killAt);
        broker.kill();
        stop.set(true);
        for (Thread t : clients) {
          t.join(Duration.ofSeconds(60).toMillis());
          assertThat(t.isAlive()).as("%s ended after the kill", t.getName()).isFalse();
        }
      }
      broker.restart();
      long drainStart = System.currentTimeMillis();
      drain(broker, queue, consumed, committed, drainStart + 20_000);
      System.out.printf(
          "WharfNativeJmsCrashInteropTest: rounds took %d s, the final drain %d s%n",
          (drainStart - started) / 1000, (System.currentTimeMillis() - drainStart) / 1000);
    } finally {
      broker.stop();
    }

    Map<String, Set<Integer>> seqs = seqsByTx(consumed);
    long redeliveredAfterKill = ackedThenAgain(consumed, false);
    System.out.printf(
        "WharfNativeJmsCrashInteropTest: %d rounds, %d transactions committed, %d seen,"
            + " %d messages consumed, %d acknowledged ones again after a kill%n",
        ROUNDS, committed.size(), seqs.size(), consumed.size(), redeliveredAfterKill);
    assertThat(seqs.keySet()).as("every committed transaction is consumed").containsAll(committed);
    seqs.forEach((tx, s) -> assertThat(s).as("transaction %s is whole", tx).hasSize(PER_TX));
    assertThat(ackedThenAgain(consumed, true))
        .as("messages acknowledged and consumed again within one round (no failure between)")
        .isZero();
  }

  private static WharfConnectionFactory factory(WharfAmqpBroker broker) {
    return new WharfConnectionFactory(
        "wharf://" + broker.namesrvAddr() + "?sendTimeout=3000&requestTimeout=3000&prefetch=4");
  }

  private static jakarta.jms.Queue queueOf(Connection c, String name) throws JMSException {
    return c.createSession(false, Session.AUTO_ACKNOWLEDGE).createQueue(name);
  }

  private static Thread start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.start();
    return t;
  }

  /** Commits transactions of PER_TX messages until the broker dies or {@code stop}. */
  private static void produce(
      WharfAmqpBroker broker, String queue, int round, AtomicBoolean stop, Set<String> committed) {
    try (Connection c = factory(broker).createConnection()) {
      Session s = c.createSession(true, Session.SESSION_TRANSACTED);
      MessageProducer p = s.createProducer(s.createQueue(queue));
      for (int i = 0; !stop.get(); i++) {
        String tx = "r" + round + "-t" + i;
        for (int seq = 0; seq < PER_TX; seq++) {
          Message m = s.createTextMessage(tx + "/" + seq);
          m.setStringProperty("tx", tx);
          m.setIntProperty("seq", seq);
          p.send(m);
        }
        s.commit();
        committed.add(tx);
      }
    } catch (JMSException expectedWhenKilled) {
      // the broker died under a send or commit: that transaction is not committed, or in doubt
    }
  }

  /** Receives and acknowledges each message until the broker dies or {@code stop}. */
  private static void consume(
      WharfAmqpBroker broker, String queue, int round, AtomicBoolean stop, List<Got> consumed) {
    try (Connection c = factory(broker).createConnection()) {
      c.start();
      Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
      MessageConsumer mc = s.createConsumer(s.createQueue(queue));
      while (!stop.get()) {
        Message m = mc.receive(200);
        if (m != null) {
          boolean acked = false;
          try {
            m.acknowledge();
            acked = true;
          } finally {
            consumed.add(new Got(m.getStringProperty("tx"), m.getIntProperty("seq"), round, acked));
          }
        }
      }
    } catch (JMSException expectedWhenKilled) {
      // the broker died: what was received is recorded
    }
  }

  /**
   * Receives and acknowledges what is left after the last restart, until every committed
   * transaction is seen, every transaction seen is whole, or {@code untilMillis}.
   */
  private static void drain(
      WharfAmqpBroker broker,
      String queue,
      List<Got> consumed,
      Set<String> committed,
      long untilMillis)
      throws JMSException {
    try (Connection c = factory(broker).createConnection()) {
      c.start();
      Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
      MessageConsumer mc = s.createConsumer(s.createQueue(queue));
      while (System.currentTimeMillis() < untilMillis && !drained(consumed, committed)) {
        Message m = mc.receive(500);
        if (m != null) {
          m.acknowledge();
          consumed.add(new Got(m.getStringProperty("tx"), m.getIntProperty("seq"), ROUNDS, true));
        }
      }
    }
  }

  private static boolean drained(List<Got> consumed, Set<String> committed) {
    Map<String, Set<Integer>> seqs = seqsByTx(consumed);
    return seqs.keySet().containsAll(committed)
        && seqs.values().stream().allMatch(s -> s.size() == PER_TX);
  }

  private static Map<String, Set<Integer>> seqsByTx(List<Got> consumed) {
    Map<String, Set<Integer>> seqs = new HashMap<>();
    synchronized (consumed) {
      for (Got g : consumed) {
        seqs.computeIfAbsent(g.tx(), k -> new TreeSet<>()).add(g.seq());
      }
    }
    return seqs;
  }

  /**
   * How many consumptions repeat a message acknowledged earlier: in the same round ({@code
   * sameRound}), or in a later one (after a kill).
   */
  private static long ackedThenAgain(List<Got> consumed, boolean sameRound) {
    Map<String, Integer> ackedIn = new HashMap<>();
    long n = 0;
    synchronized (consumed) {
      for (Got g : consumed) {
        String key = g.tx() + "/" + g.seq();
        Integer round = ackedIn.get(key);
        if (round != null && (round == g.round()) == sameRound) {
          n++;
        }
        if (g.acked()) {
          ackedIn.putIfAbsent(key, g.round());
        }
      }
    }
    return n;
  }
}
