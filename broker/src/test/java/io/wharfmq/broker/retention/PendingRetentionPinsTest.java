package io.wharfmq.broker.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.schedule.ScheduleRewrite;
import io.wharfmq.broker.schedule.TimerRewrite;
import io.wharfmq.broker.transaction.TransactionService;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.format.MessageSysFlag;
import io.wharfmq.store.retention.RetentionPins;
import io.wharfmq.store.timer.TimerStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's own pending work pins retention (docs/storage.md, "Retention and queues"): a delayed
 * message not yet due, a timer message not yet due and a transactional half message not yet
 * resolved live in the commit log under system topics, and forced retention (disk use above
 * diskSpaceCleanForciblyRatio, which deletes segments whatever their age) must not delete them. No
 * consumer group is involved: every other message is on a topic nobody pins. Once the work is done
 * (delivered, committed), the pin goes and the segments with it. A real broker on a clock the test
 * moves, with a disk use the test sets; the test runs the retention rounds.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PendingRetentionPinsTest {
  static final int SEGMENT = RetentionTestBrokers.SEGMENT;

  static final class TestClock implements InstantSource {
    final AtomicLong millis = new AtomicLong(System.currentTimeMillis());

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  }

  @TempDir Path dir;
  final TestClock clock = new TestClock();
  final AtomicInteger diskUse = new AtomicInteger(20);
  Broker broker;
  MessagingService service;
  MessageStore store;

  @BeforeEach
  void start() throws Exception {
    BrokerConfig config =
        RetentionTestBrokers.config(dir, clock.millis())
            .autoCreateTopicEnable(true)
            .defaultTopicQueueNums(1)
            .timerRollWindowSlot(1000)
            .mappedFileSizeTimerLog(64 * 1024);
    broker = Broker.start(config, clock);
    service = broker.messagingService();
    store = broker.store();
    store.retention().useDiskUsage(path -> diskUse.get());
  }

  @AfterEach
  void stop() throws Exception {
    broker.close();
  }

  @Test
  void aDelayedMessageNotYetDueStaysUntilDelivered() throws Exception {
    assertThat(send("orders", "late", Map.of(ScheduleRewrite.DELAY, "3")).status())
        .isEqualTo(Status.OK); // level 3: 10 s
    fillSegments();

    assertHeldBack("pending:delayed messages", ScheduleRewrite.SCHEDULE_TOPIC);

    belowTheWarningRatio();
    clock.millis.addAndGet(11_000);
    Awaitility.await("the delayed message delivered")
        .atMost(Duration.ofSeconds(20))
        .until(() -> store.maxOffset("orders", 0) == 1 && broker.schedule().retentionPin() == null);
    assertReleased();
  }

  @Test
  void aTimerMessageNotYetDueStaysUntilDelivered() throws Exception {
    String due = Long.toString(clock.millis() + 60_000);
    assertThat(send("orders", "timed", Map.of(TimerRewrite.TIMER_DELIVER_MS, due)).status())
        .isEqualTo(Status.OK);
    Awaitility.await("the timer read into the timer log")
        .atMost(Duration.ofSeconds(20))
        .until(() -> broker.timers().pending() == 1);
    // After a checkpoint the timer topic's queue is read: only the pending timer pins, by segment.
    broker.timers().checkpoint();
    fillSegments();

    RetentionPins.Pin pin = assertHeldBack("pending:timer messages", TimerStore.TIMER_TOPIC);
    assertThat(pin.queueOffset()).as("counted per segment").isEqualTo(-1);
    assertThat(pin.physicalOffset()).isZero();

    belowTheWarningRatio();
    clock.millis.addAndGet(61_000);
    Awaitility.await("the timer message delivered")
        .atMost(Duration.ofSeconds(20))
        .until(() -> broker.timers().pending() == 0 && store.maxOffset("orders", 0) == 1);
    broker.timers().checkpoint();
    assertReleased();
  }

  @Test
  void aTimerMessageNotYetReadIntoTheTimerLogStaysToo() throws Exception {
    broker.timers().stop(); // the timer agent reads nothing now: the message sits in its queue
    String due = Long.toString(clock.millis() + 60_000);
    assertThat(send("orders", "timed", Map.of(TimerRewrite.TIMER_DELIVER_MS, due)).status())
        .isEqualTo(Status.OK);
    fillSegments();

    RetentionPins.Pin pin = assertHeldBack("pending:timer messages", TimerStore.TIMER_TOPIC);
    assertThat(pin.queueOffset()).as("the queue's unread entry").isZero();
  }

  @Test
  void aHalfMessageNotYetResolvedStaysUntilCommitted() throws Exception {
    assertThat(
            send(
                    "orders",
                    "half",
                    Map.of(TransactionService.TRAN_MSG, "true", TransactionService.PGROUP, "pg"))
                .status())
        .isEqualTo(Status.OK);
    assertThat(store.awaitDispatched(Duration.ofSeconds(10))).isTrue();
    long half = store.queueEntry(TransactionService.HALF_TOPIC, 0, 0).physicalOffset();
    fillSegments();
    broker.transactions().check(); // a check round finds it unresolved: the pin stays

    assertHeldBack("pending:transactional half messages", TransactionService.HALF_TOPIC);

    belowTheWarningRatio();
    assertThat(broker.transactions().end("pg", half, 0, MessageSysFlag.TRANSACTION_COMMIT_TYPE))
        .isEqualTo("committed");
    broker.transactions().check(); // the check's progress passes the resolved half
    assertThat(store.awaitDispatched(Duration.ofSeconds(10))).isTrue();
    assertThat(store.maxOffset("orders", 0)).isEqualTo(1);
    assertReleased();
  }

  @Test
  void aHalfMessageUnresolvedForLongerThanFileReservedTimeIsAbandoned() throws Exception {
    assertThat(
            send(
                    "orders",
                    "orphan",
                    Map.of(TransactionService.TRAN_MSG, "true", TransactionService.PGROUP, "gone"))
                .status())
        .isEqualTo(Status.OK);
    fillSegments();
    broker.transactions().check(); // no producer of its group is connected: it stays unresolved
    assertHeldBack("pending:transactional half messages", TransactionService.HALF_TOPIC);

    clock.millis.addAndGet(TimeUnit.HOURS.toMillis(72) + 60_000); // past fileReservedTime
    broker.transactions().check();
    assertThat(store.retention().deleteExpired()).as("segments deleted").isPositive();
    assertThat(store.commitLogMinOffset()).isPositive();
  }

  /** About five segments of messages on a topic no group reads, so nothing else pins. */
  private void fillSegments() {
    for (int i = 0; i < 150; i++) {
      assertThat(send("plain", "p" + i, Map.of()).status()).isEqualTo(Status.OK);
    }
    assertThat(store.awaitDispatched(Duration.ofSeconds(10))).isTrue();
    long end = store.commitLogMaxOffset();
    Awaitility.await().until(() -> store.commitLogFlushedOffset() >= end);
    assertThat(end).isGreaterThan(4L * SEGMENT);
  }

  /** Forced retention deletes nothing, and the pin holding it back is {@code holder}'s. */
  private RetentionPins.Pin assertHeldBack(String holder, String topic) throws Exception {
    diskUse.set(95);
    assertThat(store.retention().deleteExpired()).as("segments deleted").isZero();
    assertThat(store.commitLogMinOffset()).isZero();
    RetentionPins.Pin pin = store.retention().lastHoldingPin();
    assertThat(pin).isNotNull();
    assertThat(pin.group()).isEqualTo(holder);
    assertThat(pin.byConsumerGroup()).isFalse();
    assertThat(pin.topic()).isEqualTo(topic);
    return pin;
  }

  /**
   * Disk use still past the forced ratio, but under the warning ratio: a round (which still deletes
   * nothing) accepts messages again, so deliveries and commits can be stored.
   */
  private void belowTheWarningRatio() throws Exception {
    diskUse.set(88);
    assertThat(store.retention().deleteExpired()).as("segments deleted").isZero();
    assertThat(store.retention().writesRefused()).isFalse();
  }

  /** With the work done nothing pins: forced retention deletes the old segments. */
  private void assertReleased() throws Exception {
    assertThat(store.retention().deleteExpired()).as("segments deleted").isPositive();
    assertThat(store.commitLogMinOffset()).isPositive();
    assertThat(store.retention().lastHoldingPin()).isNull();
  }

  private SendResult send(String topic, String name, Map<String, String> properties) {
    return RetentionTestBrokers.send(service, topic, name, properties, clock.millis());
  }
}
