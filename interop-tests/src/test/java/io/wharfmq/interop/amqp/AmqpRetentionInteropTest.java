package io.wharfmq.interop.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.store.LoopMountedDisk;
import io.wharfmq.store.retention.DiskUsage;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.ResourceAllocationException;
import jakarta.jms.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's retention requirement over AMQP (gateway.md section 4; docs/storage.md, "Retention and
 * queues"): a queue and a durable topic subscription keep every message they have not finished,
 * however full the disk, and a full disk refuses publishers instead of deleting queued messages.
 *
 * <p>Wharf runs as a child process ({@link WharfAmqpBroker}) whose data directory is a loop-mounted
 * 128 MiB ext4 file system, with 1 MiB commit-log segments, fileReservedTime 1 h and retention
 * checking every 100 ms. A Qpid JMS queue consumer and a durable subscriber attach and go away.
 * After a stranger's file takes the disk to 70 %, Qpid JMS producers send persistent 16 KiB
 * messages to the queue and the topic until each send is refused: the broker passes
 * diskSpaceCleanForciblyRatio (85 %), where retention deletes segments whatever their age, and must
 * delete none of them, then passes diskSpaceWarningLevelRatio (90 %), where the send gets the
 * {@code amqp:resource-limit-exceeded} rejection that Qpid JMS raises as a
 * ResourceAllocationException. The consumers return while publishers are still refused and get
 * every message whose send completed, exactly once and in send order; then retention frees the
 * finished segments and publishing resumes.
 *
 * <p>Mounting needs root and loop devices; without them the test is skipped with the reason.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AmqpRetentionInteropTest {
  static final String QUEUE = "RetainedQueue";
  static final String TOPIC = "RetainedTopic";
  static final String CLIENT_ID = "retention-subscriber";
  static final String SUBSCRIPTION = "away";
  static final int BODY_BYTES = 16 * 1024;

  @TempDir Path tmp;
  LoopMountedDisk disk;
  final WharfAmqpBroker broker = new WharfAmqpBroker();
  final List<Connection> connections = new ArrayList<>();

  @BeforeEach
  void mountSmallExt4() throws Exception {
    disk = LoopMountedDisk.mount(tmp, 128L * 1024 * 1024, 0);
  }

  @AfterEach
  void stopAndUnmount() throws Exception {
    for (Connection c : connections) {
      try {
        c.close();
      } catch (JMSException e) {
        // the test's own result matters, not a failed close
      }
    }
    broker.stop();
    if (disk != null) {
      disk.close();
    }
  }

  @Test
  void aQueueAndADurableSubscriptionWhoseConsumersAreAwayKeepEverythingOnAFullDisk()
      throws Exception {
    Path data = disk.path().resolve("data");
    broker
        .configure(
            tmp.resolve("wharf.out"), // the log stays off the small disk
            "mappedFileSizeCommitLog=1048576",
            "maxMessageSize=262144",
            "consumeQueueEntriesPerFile=5000",
            "maxHashSlotNum=1024",
            "maxIndexNum=8000",
            "mappedFileSizeTimerLog=65536",
            "timerRollWindowSlot=1000",
            "flushIntervalCommitLog=20",
            "flushCommitLogThoroughInterval=50",
            "cleanResourceInterval=100",
            "fileReservedTime=1",
            // Not the delete hour: nothing is an hour old anyway; disk use is what calls retention.
            "deleteWhen=" + (LocalTime.now().getHour() + 12) % 24)
        .start(data);

    // The consumers attach (the queue and the subscription start at the tail) and go away.
    Connection subscriber = connect(CLIENT_ID);
    Session s = subscriber.createSession(false, Session.AUTO_ACKNOWLEDGE);
    s.createDurableConsumer(s.createTopic(TOPIC), SUBSCRIPTION).close();
    s.createConsumer(s.createQueue(QUEUE)).close();
    subscriber.close();

    // Publishers fill the disk until the broker refuses them.
    disk.fillTo(70);
    Session ps = connect(null).createSession(false, Session.AUTO_ACKNOWLEDGE);
    Destination[] destinations = {ps.createQueue(QUEUE), ps.createTopic(TOPIC)};
    MessageProducer[] producers = {
      ps.createProducer(destinations[0]), ps.createProducer(destinations[1])
    };
    List<List<Integer>> accepted = List.of(new ArrayList<>(), new ArrayList<>());
    JMSException[] refused = new JMSException[2];
    Random random = new Random(12);
    for (int seq = 0; seq < 20_000 && (refused[0] == null || refused[1] == null); seq++) {
      for (int d = 0; d < 2; d++) {
        if (refused[d] != null) {
          continue;
        }
        try {
          producers[d].send(message(ps, seq, random));
          accepted.get(d).add(seq);
        } catch (JMSException e) {
          refused[d] = e;
        }
      }
    }
    int use = DiskUsage.FILE_SYSTEM.usedPercent(disk.path());
    System.out.printf(
        "Refused at %d%% disk use after %d queue and %d topic messages were accepted%n",
        use, accepted.get(0).size(), accepted.get(1).size());
    for (JMSException e : refused) {
      assertThat(e)
          .as("refused at %d%% disk use", use)
          .isInstanceOf(ResourceAllocationException.class)
          .hasMessageContaining("diskSpaceWarningLevelRatio");
    }
    assertThat(use).isGreaterThan(90);
    assertThat(accepted).allSatisfy(a -> assertThat(a).hasSizeGreaterThan(200));

    // Retention ran past the forced ratio while the consumers were away and deleted nothing.
    Awaitility.await("a retention round held back by a pin")
        .atMost(Duration.ofSeconds(30))
        .until(() -> broker.output().contains("Retention keeps commit-log segment"));
    assertThat(broker.output())
        .contains("disk use above diskSpaceCleanForciblyRatio")
        .contains("consumer group amqp-queue|" + QUEUE + " has queue semantics");
    assertThat(data.resolve("commitlog").resolve("00000000000000000000")).exists();
    assertThatThrownBy(() -> producers[0].send(message(ps, -1, random)))
        .as("publishers stay refused while the consumers are away")
        .isInstanceOf(ResourceAllocationException.class);

    // The consumers return, while publishers are still refused, and get everything accepted.
    Connection back = connect(CLIENT_ID);
    Session bs = back.createSession(false, Session.AUTO_ACKNOWLEDGE);
    MessageConsumer queue = bs.createConsumer(bs.createQueue(QUEUE));
    MessageConsumer topic = bs.createDurableConsumer(bs.createTopic(TOPIC), SUBSCRIPTION);
    assertThat(receiveAll(queue, accepted.get(0).size()))
        .as("the queue's messages, in send order, once each")
        .containsExactlyElementsOf(accepted.get(0));
    assertThat(receiveAll(topic, accepted.get(1).size()))
        .as("the durable subscription's messages, in send order, once each")
        .containsExactlyElementsOf(accepted.get(1));
    assertThat(queue.receive(1000)).as("nothing more on the queue").isNull();
    assertThat(topic.receive(1000)).as("nothing more on the subscription").isNull();

    // Nothing pins any more: forced retention frees the finished segments and publishing resumes.
    Awaitility.await("publishing resumes")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptionsInstanceOf(ResourceAllocationException.class)
        .until(
            () -> {
              producers[0].send(message(ps, -2, random));
              return true;
            });
    assertThat(data.resolve("commitlog").resolve("00000000000000000000")).doesNotExist();
    assertThat(queue.receive(10_000)).as("the message sent after space returned").isNotNull();
  }

  private Connection connect(String clientId) throws JMSException {
    Connection c = broker.jmsFactory("").createConnection();
    connections.add(c);
    if (clientId != null) {
      c.setClientID(clientId);
    }
    c.start();
    return c;
  }

  /** A persistent message with a 16 KiB random body (incompressible) and its sequence number. */
  private static Message message(Session s, int seq, Random random) throws JMSException {
    byte[] body = new byte[BODY_BYTES];
    random.nextBytes(body);
    BytesMessage m = s.createBytesMessage();
    m.writeBytes(body);
    m.setIntProperty("seq", seq);
    return m;
  }

  /** Receives until {@code expected} messages came or none comes for 20 s; their sequence. */
  private static List<Integer> receiveAll(MessageConsumer consumer, int expected)
      throws JMSException {
    List<Integer> got = new ArrayList<>();
    while (got.size() < expected) {
      Message m = consumer.receive(20_000);
      if (m == null) {
        break;
      }
      got.add(m.getIntProperty("seq"));
    }
    return got;
  }
}
