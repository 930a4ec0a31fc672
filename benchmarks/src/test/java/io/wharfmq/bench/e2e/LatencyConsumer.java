package io.wharfmq.bench.e2e;

import java.util.concurrent.atomic.LongAdder;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.rebalance.AllocateMessageQueueAveragely;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.remoting.protocol.RequestCode;

/**
 * One official DefaultMQPushConsumer (client defaults: 20 consume threads, pulls of 32) on the
 * benchmark topic of one broker, for all runs against it, signing its requests with {@code signer}
 * unless it is null. Thread-safe: the listener runs on client threads.
 */
final class LatencyConsumer implements BenchConsumer {
  private final DefaultMQPushConsumer consumer;
  private final LongAdder pulls = new LongAdder();

  /**
   * Counts the consumer's PULL_MESSAGE requests (code 11) as the client sends them, then signs them
   * (the client takes one hook).
   */
  private final class PullCounter implements RPCHook {
    private final RPCHook signer;

    PullCounter(RPCHook signer) {
      this.signer = signer;
    }

    @Override
    public void doBeforeRequest(String remoteAddr, RemotingCommand request) {
      if (request.getCode() == RequestCode.PULL_MESSAGE) {
        pulls.increment();
      }
      if (signer != null) {
        signer.doBeforeRequest(remoteAddr, request);
      }
    }

    @Override
    public void doAfterResponse(
        String remoteAddr, RemotingCommand request, RemotingCommand response) {
      if (signer != null) {
        signer.doAfterResponse(remoteAddr, request, response);
      }
    }
  }

  LatencyConsumer(String namesrvAddr, String topic, String name, ConsumeTimer timer, RPCHook signer)
      throws Exception {
    consumer =
        new DefaultMQPushConsumer(
            "bench-cg-" + name, new PullCounter(signer), new AllocateMessageQueueAveragely());
    consumer.setNamesrvAddr(namesrvAddr);
    consumer.setInstanceName("bench-c-" + name);
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener(
        (MessageListenerConcurrently)
            (msgs, context) -> {
              long now = System.nanoTime();
              for (MessageExt m : msgs) {
                timer.consumed(m.getBody(), now);
              }
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    consumer.start();
  }

  /**
   * The client has no public accessor for its assignment other than the deprecated implementation
   * handle.
   */
  @Override
  @SuppressWarnings("deprecation")
  public int assignedQueues() {
    return consumer.getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().size();
  }

  @Override
  public long pullRequests() {
    return pulls.sum();
  }

  @Override
  public void close() {
    consumer.shutdown();
  }
}
