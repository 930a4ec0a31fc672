package io.wharfmq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The consume services' failure and lock rules without a broker: no route means every send-back
 * fails, and a hand-moved clock ages broker locks.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConsumeServicesTest {
  private static final MessageQueue MQ = new MessageQueue("T", "broker-a", 0);

  /** A clock tests move by hand. */
  static final class HandClock implements InstantSource {
    private final AtomicLong millis = new AtomicLong(1_000_000);

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    void advance(Duration d) {
      millis.addAndGet(d.toMillis());
    }
  }

  private static MessageView view(long offset) {
    return new MessageView(
        "id" + offset, "off" + offset, MQ, offset, null, List.of(), Map.of(), new byte[0], 0, 0, 0);
  }

  @Test
  void consumesOnlyWhileItsBrokerLockIsFresh() {
    HandClock clock = new HandClock();
    List<Long> consumed = Collections.synchronizedList(new ArrayList<>());
    try (ClientRuntime runtime =
        new ClientRuntime("test", "127.0.0.1:9", Duration.ofSeconds(1), clock, null)) {
      ConsumeThreads threads =
          new ConsumeThreads(
              msgs -> {
                msgs.forEach(m -> consumed.add(m.queueOffset()));
                return ConsumeResult.SUCCESS;
              },
              2,
              "test");
      OrderlyConsumeService service =
          new OrderlyConsumeService(
              threads, 1, 100, 16, new RetrySender(runtime, "g", 16, () -> {}), clock);
      ProcessQueue pq = new ProcessQueue(MQ, 0);
      pq.lockGranted(clock.millis());
      List<MessageView> first = List.of(view(0), view(1));
      pq.add(first, 2);
      service.submit(pq, first);
      await().atMost(Duration.ofSeconds(10)).until(() -> consumed.size() == 2);

      // Not renewed for longer than the client's limit: the broker may hand the queue on soon.
      clock.advance(Duration.ofMillis(QueueLocker.MAX_LOCK_AGE_MILLIS + 1));
      List<MessageView> second = List.of(view(2));
      pq.add(second, 3);
      service.submit(pq, second);
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> consumed.size() == 2);

      pq.lockGranted(clock.millis());
      service.lockGranted(pq);
      await().atMost(Duration.ofSeconds(10)).until(() -> consumed.size() == 3);
      assertThat(consumed).containsExactly(0L, 1L, 2L);
      assertThat(pq.commitOffset()).isEqualTo(3);
      service.shutdown(1000);
    }
  }

  @Test
  void aFailedSendBackIsRetriedLocallyAndHoldsTheOffset() {
    List<Integer> deliveries = Collections.synchronizedList(new ArrayList<>());
    List<Long> committableAtDelivery = Collections.synchronizedList(new ArrayList<>());
    ProcessQueue pq = new ProcessQueue(MQ, 0);
    try (ClientRuntime runtime =
        new ClientRuntime(
            "test", "127.0.0.1:9", Duration.ofSeconds(1), InstantSource.system(), null)) {
      ConsumeThreads threads =
          new ConsumeThreads(
              msgs -> {
                committableAtDelivery.add(pq.commitOffset());
                deliveries.add(msgs.get(0).reconsumeTimes());
                return deliveries.size() < 3 ? ConsumeResult.RETRY_LATER : ConsumeResult.SUCCESS;
              },
              2,
              "test");
      // No route names broker-a, so every CONSUMER_SEND_MSG_BACK fails before it is sent.
      ConcurrentConsumeService service =
          new ConcurrentConsumeService(
              threads, 1, 50, 16, new RetrySender(runtime, "g", 16, () -> {}));
      List<MessageView> batch = List.of(view(0));
      pq.add(batch, 1);
      service.submit(pq, batch);
      await().atMost(Duration.ofSeconds(10)).until(() -> pq.commitOffset() == 1);
      assertThat(deliveries).containsExactly(0, 1, 2);
      // Held back while the message was in local retry.
      assertThat(committableAtDelivery).containsExactly(0L, 0L, 0L);
      service.shutdown(1000);
    }
  }
}
