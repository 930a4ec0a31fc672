package io.wharfmq.client;

import static org.awaitility.Awaitility.await;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.namesrv.NameServer;
import io.wharfmq.namesrv.NamesrvConfig;
import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.TopicRouteData;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A real name server and real brokers on 127.0.0.1, free ports, data under one temp dir. */
final class TestCluster implements AutoCloseable {
  final NameServer namesrv;
  final List<Broker> brokers = new ArrayList<>();
  private final RemotingClient admin = new RemotingClient("test-admin");

  TestCluster(Path dir, String... brokerNames) throws Exception {
    this(dir, c -> c, brokerNames);
  }

  /** With each broker's configuration changed by {@code tune} before it starts. */
  TestCluster(Path dir, UnaryOperator<BrokerConfig> tune, String... brokerNames) throws Exception {
    namesrv = new NameServer(new NamesrvConfig().listenPort(0).bindAddress("127.0.0.1"));
    namesrv.start();
    for (String name : brokerNames) {
      BrokerConfig config =
          new BrokerConfig(dir.resolve(name))
              .namesrvAddr(namesrvAddr())
              .listenPort(0)
              .bindAddress("127.0.0.1")
              .brokerName(name);
      config.store().mappedFileSizeCommitLog(4 * 1024 * 1024).maxMessageSize(1024 * 1024);
      config.store().maxHashSlotNum(1000).maxIndexNum(4000).consumeQueueEntriesPerFile(10_000);
      brokers.add(Broker.start(tune.apply(config), InstantSource.system()));
    }
    // Brokers register in the background; clients need at least the template route.
    await().atMost(Duration.ofSeconds(10)).until(() -> routedBrokers("TBW102") == brokers.size());
  }

  String namesrvAddr() {
    return "127.0.0.1:" + namesrv.port();
  }

  /** Creates the topic on every broker and waits until the name server routes all of them. */
  void createTopic(String topic, int queues) throws Exception {
    createTopic(topic, queues, brokers);
  }

  /** Creates the topic on the brokers {@code on} and waits until the name server routes them. */
  void createTopic(String topic, int queues, List<Broker> on) throws Exception {
    for (Broker b : on) {
      RemotingCommand r =
          admin.invokeSync(
              b.address(),
              RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_TOPIC)
                  .put("topic", topic)
                  .put("readQueueNums", queues)
                  .put("writeQueueNums", queues)
                  .put("perm", 6),
              3000);
      if (r.code() != ResponseCode.SUCCESS) {
        throw new IllegalStateException("create " + topic + ": " + r.remark());
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> routedBrokers(topic) == on.size());
  }

  private RemotingCommand offsetRequest(int code, String group, String topic) {
    return RemotingCommand.request(code)
        .put("consumerGroup", group)
        .put("topic", topic)
        .put("queueId", 0);
  }

  /** Commits a group's offset of queue 0 of {@code topic} on the first broker, acknowledged. */
  void commitOffset(String group, String topic, long offset) throws Exception {
    RemotingCommand request =
        offsetRequest(RequestCode.UPDATE_CONSUMER_OFFSET, group, topic).put("commitOffset", offset);
    RemotingCommand r = admin.invokeSync(brokers.get(0).address(), request, 3000);
    if (r.code() != ResponseCode.SUCCESS) {
      throw new IllegalStateException("commit offset: " + r.remark());
    }
  }

  /** A group's committed offset of queue 0 of {@code topic} on the first broker, or -1. */
  long committedOffset(String group, String topic) throws Exception {
    RemotingCommand request =
        offsetRequest(RequestCode.QUERY_CONSUMER_OFFSET, group, topic)
            .put("setZeroIfNotFound", "false");
    RemotingCommand r = admin.invokeSync(brokers.get(0).address(), request, 3000);
    return r.code() == ResponseCode.SUCCESS ? Long.parseLong(r.get("offset")) : -1;
  }

  /** How many broker groups the name server routes the topic to (0 if unknown). */
  int routedBrokers(String topic) throws Exception {
    RemotingCommand r =
        admin.invokeSync(
            namesrvAddr(),
            RemotingCommand.request(RequestCode.GET_ROUTEINFO_BY_TOPIC).put("topic", topic),
            3000);
    if (r.code() != ResponseCode.SUCCESS) {
      return 0;
    }
    return RemotingJson.decode(r.body(), TopicRouteData.class).brokerDatas().size();
  }

  @Override
  public void close() throws java.io.IOException {
    admin.shutdown();
    for (Broker b : brokers) {
      b.close();
    }
    try {
      namesrv.shutdown();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
