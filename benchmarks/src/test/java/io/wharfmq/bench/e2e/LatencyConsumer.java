package io.wharfmq.bench.e2e;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * One official DefaultMQPushConsumer (client defaults: 20 consume threads, pulls of 32) on the
 * benchmark topic of one broker, for all runs against it. Each consumed message of the current run
 * is timed against its intended send time. Thread-safe: the listener runs on client threads.
 */
final class LatencyConsumer implements AutoCloseable {
  private final DefaultMQPushConsumer consumer;
  private volatile RunWindow current;

  LatencyConsumer(String namesrvAddr, String topic, String name) throws Exception {
    consumer = new DefaultMQPushConsumer("bench-cg-" + name);
    consumer.setNamesrvAddr(namesrvAddr);
    consumer.setInstanceName("bench-c-" + name);
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener(
        (MessageListenerConcurrently)
            (msgs, context) -> {
              long now = System.nanoTime();
              RunWindow w = current;
              if (w != null) {
                for (MessageExt m : msgs) {
                  byte[] body = m.getBody();
                  long intended = Stamp.intendedNanos(body);
                  if (Stamp.runId(body) == w.runId && w.inWindow(intended)) {
                    RunWindow.record(w.endToEnd, now - intended);
                    w.consumed.increment();
                    w.lastConsumeNanos = now;
                  }
                }
              }
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    consumer.start();
  }

  /**
   * Waits until the rebalance has given this consumer all of the topic's queues. The client has no
   * public accessor for its assignment other than the deprecated implementation handle.
   */
  @SuppressWarnings("deprecation")
  void awaitQueues(int queues, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (consumer.getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().size()
        < queues) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "consumer got "
                + consumer
                    .getDefaultMQPushConsumerImpl()
                    .getRebalanceImpl()
                    .getProcessQueueTable()
                    .size()
                + " of "
                + queues
                + " queues in "
                + timeout);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  void measure(RunWindow w) {
    current = w;
  }

  @Override
  public void close() {
    consumer.shutdown();
  }
}
