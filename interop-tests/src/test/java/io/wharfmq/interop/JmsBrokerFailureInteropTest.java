package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.jms.WharfConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wharf's JMS provider in a cluster of two brokers when one dies (issue 14, "Failure"): its
 * producers go on sending to the other broker, its consumers go on receiving from it, and nothing
 * acknowledged before the failure comes back.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JmsBrokerFailureInteropTest {
  @TempDir Path dir;

  @Test
  void whenOneOfTwoBrokersDiesProducersAndConsumersGoOnWithTheOther() throws Exception {
    try (WharfCluster cluster = new WharfCluster(dir.resolve("a"));
        BrokerProcess b =
            BrokerProcess.start(
                "broker-b",
                dir.resolve("b"),
                cluster.namesrvAddr(),
                BrokerProcess.freePort(),
                dir.resolve("broker-b.log"))) {
      cluster.startBroker("broker-a");
      Awaitility.await("broker-b registered")
          .atMost(Duration.ofSeconds(60))
          .until(() -> cluster.namesrv.routes().masterAddress("broker-b") != null);

      WharfConnectionFactory factory =
          new WharfConnectionFactory(
              "wharf://" + cluster.namesrvAddr() + "?sendTimeout=5000&requestTimeout=5000");
      Connection connection = factory.createConnection();
      CopyOnWriteArrayList<JMSException> heard = new CopyOnWriteArrayList<>();
      connection.setExceptionListener(heard::add);
      connection.start();
      try {
        Session s = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        Queue q = s.createQueue("jms-failover");
        MessageProducer p = s.createProducer(q);
        MessageConsumer c = s.createConsumer(q);

        assertThat(cluster.namesrv.routes().routeFor("jms-failover").brokerDatas())
            .as("the queue lives on both brokers")
            .extracting(d -> d.brokerName())
            .containsExactlyInAnyOrder("broker-a", "broker-b");
        // one group per message: the messages spread over the queues of both brokers
        send(s, p, "before", 30);
        assertThat(receiveAll(c, "before", 30)).hasSize(30);

        b.kill();
        send(s, p, "after", 30);
        Set<String> after = receiveAll(c, "after", 30);

        assertThat(after).hasSize(30);
        assertThat(c.receive(500)).as("nothing acknowledged comes back").isNull();
      } finally {
        connection.close();
      }
    }
  }

  private static void send(Session s, MessageProducer p, String prefix, int n) throws JMSException {
    for (int i = 0; i < n; i++) {
      TextMessage m = s.createTextMessage(prefix + i);
      m.setStringProperty("JMSXGroupID", prefix + "-group-" + i);
      p.send(m);
    }
  }

  /** Receives until every {@code prefix<i>} came, acknowledging as it goes; fails after 30 s. */
  private static Set<String> receiveAll(MessageConsumer c, String prefix, int n)
      throws JMSException {
    Set<String> got = new HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (got.size() < n && System.nanoTime() < deadline) {
      Message m = c.receive(1_000);
      if (m != null) {
        String text = ((TextMessage) m).getText();
        assertThat(text).startsWith(prefix);
        got.add(text);
        m.acknowledge();
      }
    }
    return got;
  }
}
