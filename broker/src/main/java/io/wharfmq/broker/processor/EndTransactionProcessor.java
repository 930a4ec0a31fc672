package io.wharfmq.broker.processor;

import io.wharfmq.broker.transaction.TransactionService;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * END_TRANSACTION (37; the RocketMQ client sends it oneway, also as its answer to a check): commit
 * or roll back a half message. Thread-safe.
 */
public final class EndTransactionProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(EndTransactionProcessor.class);

  private final TransactionService transactions;

  public EndTransactionProcessor(TransactionService transactions) {
    this.transactions = transactions;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    String group = Headers.string(request, "producerGroup");
    long commitLogOffset = Headers.longValue(request, "commitLogOffset");
    long halfOffset = Headers.longValue(request, "tranStateTableOffset");
    int type = Headers.integer(request, "commitOrRollback");
    String outcome = transactions.end(group, commitLogOffset, halfOffset, type);
    log.debug(
        "END_TRANSACTION {} from {} (check: {}): {}",
        request.get("transactionId"),
        channel,
        request.get("fromTransactionCheck"),
        outcome);
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, outcome);
  }
}
