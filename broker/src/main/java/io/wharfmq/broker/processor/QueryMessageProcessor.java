package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.format.RecordValidator;
import io.wharfmq.store.format.StoredMessage;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * QUERY_MESSAGE (12: by key, or by unique key with _UNIQUE_KEY_QUERY) and VIEW_MESSAGE_BY_ID (33:
 * by commit-log offset). Answers with stored records. Thread-safe.
 */
public final class QueryMessageProcessor implements RequestProcessor {
  private static final int MAX_UNIQUE_RESULTS = 32;

  private final BrokerContext ctx;

  public QueryMessageProcessor(BrokerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    return switch (request.code()) {
      case RequestCode.QUERY_MESSAGE -> query(request);
      case RequestCode.VIEW_MESSAGE_BY_ID -> view(request);
      default -> throw new IllegalArgumentException("not a query code: " + request.code());
    };
  }

  private RemotingCommand query(RemotingCommand request) {
    String topic = Headers.string(request, "topic");
    String key = Headers.string(request, "key");
    int maxNum = Headers.integer(request, "maxNum", 32);
    if (Headers.bool(request, "_UNIQUE_KEY_QUERY", false)) {
      // As RocketMQ (defaultQueryMaxNum): a unique-key query asks for up to 32, whatever it sent.
      maxNum = MAX_UNIQUE_RESULTS;
    }
    long begin = Headers.longValue(request, "beginTimestamp", 0);
    long end = Headers.longValue(request, "endTimestamp", Long.MAX_VALUE);
    List<StoredMessage> found = ctx.store().queryByKey(topic, key, Math.max(1, maxNum), begin, end);
    if (found.isEmpty()) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.QUERY_NOT_FOUND,
          "can not find message, maybe time range not correct");
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (StoredMessage m : found) {
      try (StoredBytes b = ctx.store().readRecord(m.physicalOffset())) {
        if (b != null) {
          body.writeBytes(b.toArray());
        }
      }
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
        .put("indexLastUpdateTimestamp", ctx.clock().millis())
        .put("indexLastUpdatePhyoffset", ctx.store().dispatchedOffset())
        .body(body.toByteArray());
  }

  private RemotingCommand view(RemotingCommand request) {
    long offset = Headers.longValue(request, "offset");
    try (StoredBytes b = ctx.store().readRecord(offset)) {
      if (b == null
          || RecordValidator.check(b.buffer(), 0, b.size(), offset, false).kind()
              != RecordValidator.Kind.RECORD) {
        return RemotingCommand.responseTo(
            request, ResponseCode.SYSTEM_ERROR, "can not find message by the offset, " + offset);
      }
      return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null).body(b.toArray());
    }
  }
}
