package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.Result;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import java.net.InetSocketAddress;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WHARF_SEND_TRANSACTION (7015): stores the messages of one request, each with its own topic and
 * queue, all or none, through the service's transaction of many sends (begin, sendInTransaction
 * each in order, commit) and answers once. A request the broker did not receive whole is never
 * begun; a broker that dies before the commit forgets the transaction and rolls its half messages
 * back after the restart. Body layout in docs/protocol.md, "WHARF_SEND_TRANSACTION". Thread-safe.
 */
public final class SendTransactionProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(SendTransactionProcessor.class);

  /** The code this processor serves. */
  public static final int CODE = RequestCode.WHARF_SEND_TRANSACTION;

  /** One message of the body with where it goes. */
  record Entry(String topic, int queueId, OutgoingMessage message) {}

  private final BrokerContext ctx;
  private final MessagingService service;

  public SendTransactionProcessor(BrokerContext ctx, MessagingService service) {
    this.ctx = ctx;
    this.service = service;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    List<Entry> entries = entries(request);
    for (Entry e : entries) {
      if (service.topic(e.topic()) == null) {
        log.info("Refused a transaction of {}: topic {} is not here", channel, e.topic());
        return RemotingCommand.responseTo(
            request,
            ResponseCode.TOPIC_NOT_EXIST,
            "topic["
                + e.topic()
                + "] not exist on broker "
                + ctx.config().brokerName()
                + ": a transaction spans the topics of one broker");
      }
    }
    InetSocketAddress peer = (InetSocketAddress) channel.remoteSocketAddress();
    String tx = service.beginTransaction();
    CompletableFuture<SendResult> sent = CompletableFuture.completedFuture(null);
    for (Entry e : entries) {
      SendCommand c =
          new SendCommand(e.topic(), e.queueId(), List.of(e.message()), false, 0, peer, false, -1);
      sent =
          sent.thenCompose(
              before ->
                  before == null || before.isOk()
                      ? service.sendInTransaction(tx, c)
                      : CompletableFuture.completedFuture(before));
    }
    sent.thenCompose(last -> end(tx, last))
        .whenComplete(
            (r, error) -> {
              RemotingCommand response;
              if (error != null) {
                log.error("Transaction {} from {} failed", tx, channel.remoteAddress(), error);
                service.rollbackTransaction(tx);
                response =
                    RemotingCommand.responseTo(
                        request, ResponseCode.SYSTEM_ERROR, "transaction failed: " + error);
              } else if (r.isOk()) {
                response = RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
                response.put("count", entries.size());
              } else {
                response =
                    RemotingCommand.responseTo(
                        request, ResponseCodes.of(r.status()), "rolled back: " + r.detail());
              }
              channel.writeResponse(response);
            });
    return null;
  }

  /** Commits when every send was stored, else rolls back and answers the failed send's status. */
  private CompletableFuture<Result<Void>> end(String tx, SendResult last) {
    if (last.isOk()) {
      return service.commitTransaction(tx);
    }
    Result<Void> failed = Result.fail(last.status(), last.topic() + ": " + last.detail());
    return service.rollbackTransaction(tx).thenApply(ignored -> failed);
  }

  /** The topics a transaction request writes to, for authorization (BadRequestException). */
  public static List<String> topics(RemotingCommand request) {
    return entries(request, 0).stream().map(Entry::topic).distinct().toList();
  }

  private List<Entry> entries(RemotingCommand request) {
    return entries(request, Headers.longValue(request, "bornTimestamp", ctx.clock().millis()));
  }

  /** The body's entries: per message, topic and queue, then a batch entry (SEND_BATCH_MESSAGE). */
  private static List<Entry> entries(RemotingCommand request, long born) {
    byte[] body = request.body() == null ? new byte[0] : request.body();
    ByteBuffer b = ByteBuffer.wrap(body);
    List<Entry> out = new ArrayList<>();
    try {
      while (b.hasRemaining()) {
        byte[] topic = new byte[b.getShort() & 0xFFFF];
        b.get(topic);
        int queueId = b.getInt();
        out.add(
            new Entry(
                new String(topic, StandardCharsets.UTF_8),
                queueId,
                SendMessageProcessor.batchEntry(b, Map.of(), born, 0)));
      }
    } catch (BufferUnderflowException | NegativeArraySizeException e) {
      throw new Headers.BadRequestException("malformed transaction body at byte " + b.position());
    }
    if (out.isEmpty()) {
      throw new Headers.BadRequestException("empty transaction");
    }
    return out;
  }
}
