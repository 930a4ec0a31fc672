package io.wharfmq.bench.e2e;

import io.wharfmq.client.ConsumeFrom;
import io.wharfmq.client.ConsumeResult;
import io.wharfmq.client.MessageView;
import io.wharfmq.client.PushConsumer;

/**
 * One Wharf native-client {@link PushConsumer} (its defaults: 4 consume threads, one message per
 * listener call) on the benchmark topic of one broker, for all runs against it. Thread-safe: the
 * listener runs on client threads.
 */
final class NativeLatencyConsumer implements BenchConsumer {
  private final PushConsumer consumer;

  NativeLatencyConsumer(String namesrvAddr, String topic, String name, ConsumeTimer timer) {
    consumer =
        PushConsumer.builder()
            .namesrvAddr(namesrvAddr)
            .consumerGroup("bench-cg-" + name)
            .subscribe(topic, "*")
            .consumeFrom(ConsumeFrom.FIRST)
            .listener(
                msgs -> {
                  long now = System.nanoTime();
                  for (MessageView m : msgs) {
                    timer.consumed(m.body(), now);
                  }
                  return ConsumeResult.SUCCESS;
                })
            .build();
  }

  @Override
  public int assignedQueues() {
    return consumer.assignment().size();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
