package io.wharfmq.bench.e2e;

import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.RPCHook;

/**
 * The official {@link DefaultMQProducer} with its defaults, except bodies are never compressed (so
 * both brokers store the same 1 KiB), signing its requests with {@code signer} unless it is null.
 * Thread-safe.
 */
final class OfficialProducer implements BenchProducer {
  private final DefaultMQProducer producer;
  private final String topic;

  OfficialProducer(String namesrvAddr, String topic, String name, RPCHook signer) throws Exception {
    this.topic = topic;
    producer = new DefaultMQProducer("bench-pg-" + name, signer);
    producer.setNamesrvAddr(namesrvAddr);
    producer.setInstanceName("bench-p-" + name);
    producer.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE);
    producer.start();
  }

  @Override
  public boolean send(byte[] body) throws InterruptedException {
    try {
      return producer.send(new Message(topic, "T", body)).getSendStatus() == SendStatus.SEND_OK;
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void sendAsync(byte[] body, Done done) {
    try {
      producer.send(
          new Message(topic, "T", body),
          new SendCallback() {
            @Override
            public void onSuccess(SendResult r) {
              done.done(r.getSendStatus() == SendStatus.SEND_OK);
            }

            @Override
            public void onException(Throwable e) {
              done.done(false);
            }
          });
    } catch (Exception e) {
      done.done(false);
    }
  }

  @Override
  public void close() {
    producer.shutdown();
  }
}
