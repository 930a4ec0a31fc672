package io.wharfmq.broker.processor;

import io.wharfmq.broker.service.LocalMessagingService;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.service.EndTransactionCommand;
import io.wharfmq.store.format.MessageSysFlag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * END_TRANSACTION (37; the RocketMQ client sends it oneway, also as its answer to a check): commit
 * or roll back a half message. Thread-safe.
 */
public final class EndTransactionProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(EndTransactionProcessor.class);

  private final LocalMessagingService service;

  public EndTransactionProcessor(LocalMessagingService service) {
    this.service = service;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    String group = Headers.string(request, "producerGroup");
    long commitLogOffset = Headers.longValue(request, "commitLogOffset");
    long halfOffset = Headers.longValue(request, "tranStateTableOffset");
    int type = Headers.integer(request, "commitOrRollback");
    boolean fromCheck = Headers.bool(request, "fromTransactionCheck", false);
    String transactionId = request.get("transactionId");
    String outcome;
    if (type != MessageSysFlag.TRANSACTION_COMMIT_TYPE
        && type != MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) {
      outcome = "unknown: left for the check";
    } else {
      EndTransactionCommand command =
          new EndTransactionCommand(
              group,
              commitLogOffset,
              halfOffset,
              request.get("msgId"),
              transactionId,
              type == MessageSysFlag.TRANSACTION_COMMIT_TYPE,
              fromCheck);
      outcome = service.endTransaction(command).join().detail();
    }
    log.debug(
        "END_TRANSACTION {} from {} (check: {}): {}", transactionId, channel, fromCheck, outcome);
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, outcome);
  }
}
