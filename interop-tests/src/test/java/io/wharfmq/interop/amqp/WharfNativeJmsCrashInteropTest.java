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
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a Wharf process under Wharf's JMS provider (native protocol), {@link #ROUNDS} rounds
 * on one data directory: a transacted producer sends transactions of {@link #PER_TX} messages (one
 * {@code tx} property, a {@code seq}) and a CLIENT_ACKNOWLEDGE consumer acknowledges each message
 * it gets. Afterwards every committed transaction is consumed, every transaction seen is whole (all
 * {@link #PER_TX} messages or none: no half-applied commit), and no message acknowledged in a round
 * comes back in that round (it may come back after a kill, when the ack did not reach the store).
 *
 * <p>One producer connection and one consumer connection live through all rounds: the broker comes
 * back on another remoting port (listenPort=0) behind the same name server port, and each round
 * checks that both find it (a commit and a delivery on the same connections) before the next kill.
 * The seed of the kill times is printed; {@code -Dwharf.crash.seed=N} repeats a run.
 */
class WharfNativeJmsCrashInteropTest {
  /**
   * Kill rounds (issue 14 asks for 10). Each restarts the broker process, 1.5-4 s on a shared CI
   * machine: {@code -Dwharf.crash.rounds=N} shortens or lengthens a run.
   */
  static final int ROUNDS = Integer.getInteger("wharf.crash.rounds", 10);

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
    Connection producing = null;
    Connection consuming = null;
    try {
      producing = factory(broker).createConnection();
      Session ps = producing.createSession(true, Session.SESSION_TRANSACTED);
      MessageProducer p = ps.createProducer(ps.createQueue(queue));
      consuming = factory(broker).createConnection();
      consuming.start();
      Session cs = consuming.createSession(false, Session.CLIENT_ACKNOWLEDGE);
      MessageConsumer mc = cs.createConsumer(cs.createQueue(queue));
      for (int round = 0; round < ROUNDS; round++) {
        long roundStart = System.currentTimeMillis();
        if (round > 0) {
          broker.restart();
        }
        long restarted = System.currentTimeMillis();
        int r = round;
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients =
            List.of(
                start("producer-r" + r, () -> produce(ps, p, r, stop, committed)),
                start("consumer-r" + r, () -> consume(mc, r, stop, consumed)));
        int before = committed.size();
        int consumedBefore = consumed.size();
        Awaitility.await("round " + r + ": the same connections commit and consume again")
            .atMost(Duration.ofSeconds(30))
            .until(() -> committed.size() > before && consumed.size() > consumedBefore);
        long loaded = System.currentTimeMillis();
        long killAt = loaded + 10 + random.nextInt(150);
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
        System.out.printf(
            "WharfNativeJmsCrashInteropTest round %d: restart %d ms, commit and consume %d ms,"
                + " clients stopped %d ms after the kill%n",
            r, restarted - roundStart, loaded - restarted, System.currentTimeMillis() - killAt);
      }
      broker.restart();
      long drainStart = System.currentTimeMillis();
      drain(broker, queue, consumed, committed, drainStart + 20_000);
      System.out.printf(
          "WharfNativeJmsCrashInteropTest: rounds took %d s, the final drain %d s%n",
          (drainStart - started) / 1000, (System.currentTimeMillis() - drainStart) / 1000);
    } finally {
      closeQuietly(producing);
      closeQuietly(consuming);
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

  private static Thread start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.start();
    return t;
  }

  /**
   * Commits transactions of PER_TX messages until {@code stop}. The session is used by one round's
   * thread at a time.
   */
  private static void produce(
      Session s, MessageProducer p, int round, AtomicBoolean stop, Set<String> committed) {
    for (int i = 0; !stop.get(); i++) {
      String tx = "r" + round + "-t" + i;
      try {
        for (int seq = 0; seq < PER_TX; seq++) {
          Message m = s.createTextMessage(tx + "/" + seq);
          m.setStringProperty("tx", tx);
          m.setIntProperty("seq", seq);
          p.send(m);
        }
        s.commit();
        committed.add(tx);
      } catch (JMSException e) {
        // The broker is down or just back: this transaction is not committed, or in doubt. An
        // application tries again; the next commit finds the restarted broker.
        retryPause();
      }
    }
  }

  /** Paces retries against a broker that is not back yet (not a wait for a condition). */
  private static void retryPause() {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
  }

  /** Receives and acknowledges each message until {@code stop}. */
  private static void consume(
      MessageConsumer mc, int round, AtomicBoolean stop, List<Got> consumed) {
    while (!stop.get()) {
      try {
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
      } catch (JMSException e) {
        // The broker is down or just back: receive again, as an application does.
        retryPause();
      }
    }
  }

  private static void closeQuietly(Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (JMSException e) {
      // closing after a kill may fail; nothing to do
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
