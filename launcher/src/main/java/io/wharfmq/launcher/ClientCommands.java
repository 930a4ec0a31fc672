package io.wharfmq.launcher;

import io.wharfmq.client.ConsumeFrom;
import io.wharfmq.client.ConsumeResult;
import io.wharfmq.client.Message;
import io.wharfmq.client.MessageView;
import io.wharfmq.client.Producer;
import io.wharfmq.client.PushConsumer;
import io.wharfmq.client.SendResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wharf send} and {@code wharf consume}: try Wharf from a shell with the native client. */
final class ClientCommands {
  private ClientCommands() {}

  @Command(name = "send", description = "Send messages with Wharf's native client.")
  static final class Send implements Callable<Integer> {
    @Option(names = "--namesrv", defaultValue = "127.0.0.1:9876", description = "Name servers.")
    String namesrv;

    @Option(names = "--topic", required = true, description = "Topic.")
    String topic;

    @Option(names = "--tag", description = "Tag of the messages.")
    String tag;

    @Option(names = "--body", required = true, description = "Message body (UTF-8).")
    String body;

    @Option(names = "--count", defaultValue = "1", description = "How many messages.")
    int count;

    @Mixin TlsClientOptions tls = new TlsClientOptions();

    @Override
    public Integer call() {
      try (Producer producer =
          Producer.builder()
              .namesrvAddr(namesrv)
              .tls(tls.clientTls())
              .producerGroup("wharf-cli")
              .build()) {
        for (int i = 0; i < count; i++) {
          String text = count == 1 ? body : body + " " + i;
          SendResult r =
              producer.send(
                  Message.builder(topic)
                      .tags(tag)
                      .body(text.getBytes(StandardCharsets.UTF_8))
                      .build());
          System.out.println(
              "sent " + r.msgId() + " to " + r.queue() + " offset " + r.queueOffset());
        }
      }
      return 0;
    }
  }

  @Command(name = "consume", description = "Print messages of a topic (from the first).")
  static final class Consume implements Callable<Integer> {
    @Option(names = "--namesrv", defaultValue = "127.0.0.1:9876", description = "Name servers.")
    String namesrv;

    @Option(names = "--topic", required = true, description = "Topic.")
    String topic;

    @Option(names = "--tags", defaultValue = "*", description = "Tag expression, e.g. 'A || B'.")
    String tags;

    @Option(names = "--group", defaultValue = "wharf-cli-consumer", description = "Consumer group.")
    String group;

    @Option(names = "--count", defaultValue = "1", description = "Stop after this many.")
    int count;

    @Option(names = "--timeout", defaultValue = "30", description = "Give up after seconds.")
    long timeoutSeconds;

    @Mixin TlsClientOptions tls = new TlsClientOptions();

    @Override
    public Integer call() throws InterruptedException {
      CountDownLatch done = new CountDownLatch(count);
      AtomicInteger printed = new AtomicInteger();
      try (PushConsumer consumer =
          PushConsumer.builder()
              .namesrvAddr(namesrv)
              .tls(tls.clientTls())
              .consumerGroup(group)
              .subscribe(topic, tags)
              .consumeFrom(ConsumeFrom.FIRST)
              .listener(
                  messages -> {
                    for (MessageView m : messages) {
                      if (printed.incrementAndGet() <= count) {
                        System.out.println(
                            "received "
                                + m.msgId()
                                + ": "
                                + new String(m.body(), StandardCharsets.UTF_8));
                        done.countDown();
                      }
                    }
                    return ConsumeResult.SUCCESS;
                  })
              .build()) {
        boolean all =
            done.await(Duration.ofSeconds(timeoutSeconds).toMillis(), TimeUnit.MILLISECONDS);
        if (!all) {
          System.err.println(
              "only "
                  + Math.min(printed.get(), count)
                  + " message(s) within "
                  + timeoutSeconds
                  + " s; assigned queues: "
                  + consumer.assignment());
        }
        return all ? 0 : 1;
      }
    }
  }
}
