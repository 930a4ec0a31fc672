package io.wharfmq.client;

import io.wharfmq.remoting.netty.NamedThreadFactory;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.protocol.MessageIds;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RequestCode;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the broker's CHECK_TRANSACTION_STATE (39, oneway; header: commitLogOffset,
 * tranStateTableOffset, transactionId, bname; body: the half message as a stored record with its
 * real topic) for a producer group: asks the {@link TransactionChecker} and answers with a oneway
 * END_TRANSACTION (fromTransactionCheck=true) to the broker that asked. Also ends the transactions
 * the producer itself resolves. Checks run on one thread of their own. Thread-safe.
 */
final class TransactionCheckAdapter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TransactionCheckAdapter.class);

  private final ClientRuntime runtime;
  private final String group;
  private final TransactionChecker checker;
  private final ExecutorService thread;

  TransactionCheckAdapter(ClientRuntime runtime, String group, TransactionChecker checker) {
    this.runtime = runtime;
    this.group = group;
    this.checker = checker;
    this.thread =
        Executors.newSingleThreadExecutor(new NamedThreadFactory("wharf-transaction-check"));
  }

  void start() {
    runtime.remoting.registerProcessor(
        RequestCode.CHECK_TRANSACTION_STATE,
        (channel, request) -> {
          check(channel, request);
          return null;
        },
        thread);
  }

  private void check(RemotingChannel channel, RemotingCommand request) {
    String brokerName = request.get("bname");
    long commitLogOffset;
    long halfQueueOffset;
    try {
      commitLogOffset = Long.parseLong(request.get("commitLogOffset"));
      halfQueueOffset = Long.parseLong(request.get("tranStateTableOffset"));
    } catch (NumberFormatException e) {
      log.warn("CHECK_TRANSACTION_STATE from {} without valid offsets: {}", channel, e.toString());
      return;
    }
    List<MessageView> decoded = RecordDecoder.decode(request.body(), brokerName);
    if (decoded.size() != 1) {
      log.warn("CHECK_TRANSACTION_STATE from {} carries {} messages", channel, decoded.size());
      return;
    }
    MessageView m = decoded.get(0);
    String owner = m.properties().get(SendRequests.PGROUP);
    if (!group.equals(owner)) {
      log.warn(
          "CHECK_TRANSACTION_STATE from {} for group {}, not {}: ignored", channel, owner, group);
      return;
    }
    TransactionResolution resolution;
    String remark = null;
    try {
      resolution = checker.check(m);
    } catch (RuntimeException e) {
      log.warn("Transaction checker failed on {}", m.msgId(), e);
      resolution = null;
      remark = "checkLocalTransactionState Exception: " + e;
    }
    if (resolution == null) {
      resolution = TransactionResolution.UNKNOWN;
    }
    String transactionId = request.get("transactionId");
    end(
        channel.remoteAddress(),
        new BrokerProxy.TransactionEnd(
            request.get("topic"),
            group,
            halfQueueOffset,
            commitLogOffset,
            resolution.wireType,
            true,
            m.msgId(),
            transactionId != null ? transactionId : m.msgId(),
            brokerName),
        remark);
  }

  /** Ends a transaction the producer resolved itself (fromTransactionCheck=false). */
  void endLocal(
      String address,
      String topic,
      SendResult half,
      TransactionResolution resolution,
      String remark) {
    end(
        address,
        new BrokerProxy.TransactionEnd(
            topic,
            group,
            half.queueOffset(),
            MessageIds.decode(half.offsetMsgId()).physicalOffset(),
            resolution.wireType,
            false,
            half.msgId(),
            half.msgId(),
            half.queue().brokerName()),
        remark);
  }

  /** Sends END_TRANSACTION oneway; a lost one is settled by a later check. */
  private void end(String address, BrokerProxy.TransactionEnd e, String remark) {
    try {
      runtime.brokers.endTransaction(address, e, remark);
    } catch (ClientException ex) {
      log.warn(
          "END_TRANSACTION of {} to {} failed; the broker will check: {}",
          e.transactionId(),
          address,
          ex.getMessage());
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
