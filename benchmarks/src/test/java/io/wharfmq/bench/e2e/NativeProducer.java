package io.wharfmq.bench.e2e;

import io.wharfmq.client.ClientException;
import io.wharfmq.client.Message;
import io.wharfmq.client.Producer;
import io.wharfmq.client.SendStatus;

/** Wharf's native-client {@link Producer} with its defaults (it never compresses). Thread-safe. */
final class NativeProducer implements BenchProducer {
  private final Producer producer;
  private final String topic;

  NativeProducer(String namesrvAddr, String topic, String name) {
    this.topic = topic;
    producer =
        Producer.builder().namesrvAddr(namesrvAddr).producerGroup("bench-pg-" + name).build();
  }

  private Message message(byte[] body) {
    return Message.builder(topic).tags("T").body(body).build();
  }

  @Override
  public boolean send(byte[] body) {
    try {
      return producer.send(message(body)).status() == SendStatus.SEND_OK;
    } catch (ClientException e) {
      return false;
    }
  }

  @Override
  public void sendAsync(byte[] body, Done done) {
    try {
      producer
          .sendAsync(message(body))
          .whenComplete((r, e) -> done.done(e == null && r.status() == SendStatus.SEND_OK));
    } catch (RuntimeException e) {
      done.done(false);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
