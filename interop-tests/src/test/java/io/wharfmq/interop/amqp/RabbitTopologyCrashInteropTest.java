package io.wharfmq.interop.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.interop.amqp.AmqpManagementClient.Response;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's restart test: a Wharf process with durable exchanges of four types, bindings (one of
 * them exchange-to-exchange) and durable queues declared through the {@code /management} node is
 * killed with SIGKILL three times while Qpid JMS publishes persistent messages to {@code
 * /exchanges/X/KEY} (synchronous sends: a send returns when the {@code accepted} outcome came) and
 * consumers of {@code /queues/Q} acknowledge two messages of three, then restarted once cleanly.
 * After every restart each exchange, binding and queue is still there (asked through {@code
 * /management}) and the non-durable queue, exchange and binding are gone; at the end every accepted
 * publish that no consumer acknowledged is delivered to every queue its routing key reached, and no
 * queue gets a message its bindings do not route to it. Duplicates after a crash (an
 * acknowledgement the kill cut) are counted and printed, not failed.
 *
 * <p>The seed of the kill times is printed; {@code -Dwharf.crash.seed=N} repeats a run.
 */
class RabbitTopologyCrashInteropTest {
  private static final int KILLS = 3;
  private static final List<String> QUEUES = List.of("cq-a", "cq-b", "cq-c");

  /** The publish targets and the queues each one reaches through the bindings below. */
  private static final Map<String, List<String>> ROUTES = new LinkedHashMap<>();

  static {
    ROUTES.put("/exchanges/cx-direct/a", List.of("cq-a"));
    ROUTES.put("/exchanges/cx-topic/t.x", List.of("cq-b"));
    // t.* to cq-b, and through the exchange-to-exchange binding to the fanout's two queues
    ROUTES.put("/exchanges/cx-topic/t.fan", List.of("cq-a", "cq-b", "cq-c"));
    ROUTES.put("/exchanges/cx-fanout", List.of("cq-a", "cq-c"));
  }

  /** source, destination kind (dstq or dste), destination, key. */
  private static final List<String[]> BINDINGS =
      List.of(
          new String[] {"cx-direct", "dstq", "cq-a", "a"},
          new String[] {"cx-topic", "dstq", "cq-b", "t.*"},
          new String[] {"cx-topic", "dste", "cx-fanout", "t.fan"},
          new String[] {"cx-fanout", "dstq", "cq-a", ""},
          new String[] {"cx-fanout", "dstq", "cq-c", ""},
          new String[] {"cx-headers", "dstq", "cq-c", ""});

  private static final Map<String, String> EXCHANGES =
      Map.of(
          "cx-direct", "direct",
          "cx-topic", "topic",
          "cx-fanout", "fanout",
          "cx-headers", "headers");

  @TempDir Path dir;

  private final Set<String> attempted = ConcurrentHashMap.newKeySet();
  private final Map<String, String> accepted = new ConcurrentHashMap<>(); // id -> target
  private final Map<String, Set<String>> acked = new ConcurrentHashMap<>();
  private final Map<String, List<String>> received = new ConcurrentHashMap<>();

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void topologyAndUnacknowledgedMessagesSurviveKillNineAndARestart() throws Exception {
    long seed = Long.getLong("wharf.crash.seed", System.nanoTime());
    System.out.println("RabbitTopologyCrashInteropTest seed " + seed);
    Random random = new Random(seed);
    for (String q : QUEUES) {
      acked.put(q, ConcurrentHashMap.newKeySet());
      received.put(q, Collections.synchronizedList(new ArrayList<>()));
    }
    WharfAmqpBroker broker = new WharfAmqpBroker();
    long started = System.currentTimeMillis();
    broker.start(dir.resolve("wharf"));
    try {
      declare(broker);
      for (int round = 0; round < KILLS; round++) {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        String prefix = "r" + round + "-";
        clients.add(start("producer-" + round, () -> produce(broker, prefix, stop)));
        for (String q : QUEUES) {
          clients.add(start("consumer-" + q + "-" + round, () -> consume(broker, q, stop, true)));
        }
        int before = accepted.size();
        Awaitility.await("round " + round + ": some publishes accepted")
            .atMost(Duration.ofSeconds(30))
            .until(() -> accepted.size() > before + 40);
        long extraMillis = 100 + random.nextInt(400);
        long killAt = System.currentTimeMillis() + extraMillis;
        Awaitility.await("round " + round + ": " + extraMillis + " ms more load")
            .atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> System.currentTimeMillis() >= killAt);
        broker.kill();
        stop.set(true);
        for (Thread t : clients) {
          t.join(Duration.ofSeconds(30).toMillis());
          assertThat(t.isAlive()).as("%s ended after the kill", t.getName()).isFalse();
        }
        broker.restart();
        checkTopology(broker, "after kill " + (round + 1));
      }
      broker.restart(); // a clean stop (SIGTERM) and start
      checkTopology(broker, "after a clean restart");
      long drainStart = System.currentTimeMillis();
      drain(broker);
      System.out.printf(
          "RabbitTopologyCrashInteropTest: rounds and restarts took %d s, the final drain %d s%n",
          (drainStart - started) / 1000, (System.currentTimeMillis() - drainStart) / 1000);
    } finally {
      broker.stop();
    }

    int expected = 0;
    for (Map.Entry<String, String> a : accepted.entrySet()) {
      for (String q : ROUTES.get(a.getValue())) {
        expected++;
        assertThat(acked.get(q))
            .as("accepted publish %s to %s was acknowledged in %s", a.getKey(), a.getValue(), q)
            .contains(a.getKey());
      }
    }
    for (String q : QUEUES) {
      Map<String, Integer> counts = new HashMap<>();
      for (String id : received.get(q)) {
        counts.merge(id, 1, Integer::sum);
        assertThat(attempted).as("%s got only what was published", q).contains(id);
        assertThat(ROUTES.get(target(id))).as("%s got %s through its bindings", q, id).contains(q);
      }
      long again = counts.values().stream().filter(c -> c > 1).count();
      System.out.printf(
          "RabbitTopologyCrashInteropTest: %s received %d, %d distinct, %d more than once"
              + " (unacknowledged ones come again by design), %d acknowledged%n",
          q, received.get(q).size(), counts.size(), again, acked.get(q).size());
    }
    System.out.printf(
        "RabbitTopologyCrashInteropTest: %d publishes attempted, %d accepted, %d queue deliveries"
            + " expected%n",
        attempted.size(), accepted.size(), expected);
    assertThat(accepted).hasSizeGreaterThan(KILLS * 40);
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static Map<String, Object> exchange(String type, boolean durable) {
    return map(
        "type",
        type,
        "durable",
        durable,
        "auto_delete",
        false,
        "internal",
        false,
        "arguments",
        Map.of());
  }

  private static Map<String, Object> queue(boolean durable) {
    return map("durable", durable, "exclusive", false, "auto_delete", false, "arguments", Map.of());
  }

  private static Map<String, Object> binding(String[] b, Map<String, Object> arguments) {
    return map(
        "source",
        b[0],
        b[1].equals("dstq") ? "destination_queue" : "destination_exchange",
        b[2],
        "binding_key",
        b[3],
        "arguments",
        arguments);
  }

  private static Map<String, Object> arguments(String[] b) {
    return b[0].equals("cx-headers") ? map("x-match", "all", "kind", "h") : Map.of();
  }

  /** The durable topology, and a non-durable queue, exchange and binding. */
  private static void declare(WharfAmqpBroker broker) throws Exception {
    try (AmqpManagementClient m = new AmqpManagementClient(broker.host(), broker.amqpPort())) {
      for (Map.Entry<String, String> x : EXCHANGES.entrySet()) {
        expect(m.request("PUT", "/exchanges/" + x.getKey(), exchange(x.getValue(), true)), 204);
      }
      for (String q : QUEUES) {
        expect(m.request("PUT", "/queues/" + q, queue(true)), 201);
      }
      for (String[] b : BINDINGS) {
        expect(m.request("POST", "/bindings", binding(b, arguments(b))), 204);
      }
      expect(m.request("PUT", "/exchanges/cx-temp", exchange("direct", false)), 204);
      expect(m.request("PUT", "/queues/cq-temp", queue(false)), 201);
      expect(
          m.request(
              "POST",
              "/bindings",
              binding(new String[] {"cx-temp", "dstq", "cq-temp", "k"}, map())),
          204);
      expect(m.request("GET", "/queues/cq-temp", null), 200);
      expect(m.request("GET", "/bindings?src=cx-temp&dstq=cq-temp&key=k", null), 200);
    }
  }

  /**
   * Every durable queue, exchange and binding is there (an exchange re-declared with another type
   * answers 409, which only an existing one does); the non-durable ones are gone.
   */
  private static void checkTopology(WharfAmqpBroker broker, String when) throws Exception {
    try (AmqpManagementClient m = new AmqpManagementClient(broker.host(), broker.amqpPort())) {
      for (String q : QUEUES) {
        Response r = m.request("GET", "/queues/" + q, null);
        assertThat(r.status()).as("%s: GET /queues/%s", when, q).isEqualTo(200);
        assertThat(((Map<?, ?>) r.body()).get("durable")).as(when).isEqualTo(true);
      }
      for (Map.Entry<String, String> x : EXCHANGES.entrySet()) {
        String other = x.getValue().equals("direct") ? "fanout" : "direct";
        Response r = m.request("PUT", "/exchanges/" + x.getKey(), exchange(other, true));
        assertThat(r.status())
            .as("%s: exchange %s is still a durable %s (%s)", when, x.getKey(), x.getValue(), r)
            .isEqualTo(409);
        expect(m.request("PUT", "/exchanges/" + x.getKey(), exchange(x.getValue(), true)), 204);
      }
      for (String[] b : BINDINGS) {
        Response r =
            m.request(
                "GET", "/bindings?src=" + b[0] + "&" + b[1] + "=" + b[2] + "&key=" + b[3], null);
        assertThat(r.status()).as("%s: bindings of %s", when, String.join(" ", b)).isEqualTo(200);
        assertThat((List<?>) r.body())
            .as("%s: binding %s is still there", when, String.join(" ", b))
            .hasSize(1);
      }
      assertThat(m.request("GET", "/queues/cq-temp", null).status())
          .as("%s: the non-durable queue is gone", when)
          .isEqualTo(404);
      assertThat(
              m.request(
                      "POST",
                      "/bindings",
                      binding(new String[] {"cx-temp", "dstq", "cq-a", "k"}, map()))
                  .status())
          .as("%s: the non-durable exchange is gone", when)
          .isEqualTo(404);
    }
  }

  private static void expect(Response r, int status) {
    assertThat(r.status()).as("%s", r).isEqualTo(status);
  }

  private static String target(String id) {
    return new ArrayList<>(ROUTES.keySet())
        .get(Integer.parseInt(id.substring(id.lastIndexOf('t') + 1)));
  }

  private static Thread start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.start();
    return t;
  }

  /** Publishes persistent messages to the four targets in turn until the broker dies or stop. */
  private void produce(WharfAmqpBroker broker, String prefix, AtomicBoolean stop) {
    try {
      Connection c = broker.jmsFactory("jms.forceSyncSend=true").createConnection();
      try {
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        List<String> targets = new ArrayList<>(ROUTES.keySet());
        List<MessageProducer> producers = new ArrayList<>();
        for (String t : targets) {
          MessageProducer p = s.createProducer(s.createQueue(t));
          p.setDeliveryMode(DeliveryMode.PERSISTENT);
          producers.add(p);
        }
        for (int i = 0; !stop.get(); i++) {
          int t = i % targets.size();
          String id = prefix + i + "t" + t;
          attempted.add(id);
          producers.get(t).send(s.createTextMessage(id));
          accepted.put(id, targets.get(t));
        }
      } finally {
        closeQuietly(c);
      }
    } catch (JMSException expectedWhenKilled) {
      // the broker died under the send: this publish is not accepted
    }
  }

  /**
   * Receives from {@code /queues/Q} with individual acknowledgement; while {@code some}, every
   * third message is left unacknowledged (it must come again after the kill).
   */
  private void consume(WharfAmqpBroker broker, String queue, AtomicBoolean stop, boolean some) {
    try {
      Connection c = broker.jmsFactory("jms.prefetchPolicy.all=10").createConnection();
      try {
        c.start();
        Session s = c.createSession(false, 101); // Qpid JMS INDIVIDUAL_ACKNOWLEDGE
        MessageConsumer mc = s.createConsumer(s.createQueue("/queues/" + queue));
        for (int n = 0; !stop.get(); ) {
          Message m = mc.receive(200);
          if (m != null) {
            String id = ((TextMessage) m).getText();
            received.get(queue).add(id);
            if (!some || n++ % 3 != 2) {
              m.acknowledge();
              acked.get(queue).add(id);
            }
          }
        }
      } finally {
        closeQuietly(c);
      }
    } catch (JMSException expectedWhenKilled) {
      // the broker died: what was acknowledged is recorded
    }
  }

  /** After the last restart: every queue until it has acknowledged all it should, or 30 s. */
  private void drain(WharfAmqpBroker broker) throws Exception {
    Map<String, Set<String>> wanted = new HashMap<>();
    for (String q : QUEUES) {
      wanted.put(q, new HashSet<>());
    }
    accepted.forEach((id, t) -> ROUTES.get(t).forEach(q -> wanted.get(q).add(id)));
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> consumers = new ArrayList<>();
    for (String q : QUEUES) {
      consumers.add(start("drain-" + q, () -> consume(broker, q, stop, false)));
    }
    try {
      Awaitility.await("every accepted publish acknowledged in every queue it reached")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> QUEUES.stream().allMatch(q -> acked.get(q).containsAll(wanted.get(q))));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // the assertions after the drain name what is missing
    } finally {
      stop.set(true);
      for (Thread t : consumers) {
        t.join(Duration.ofSeconds(30).toMillis());
      }
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
