package io.wharfmq.client;

import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.BatchAckBody;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Encodes POP_MESSAGE, ACK_MESSAGE, BATCH_ACK_MESSAGE and CHANGE_MESSAGE_INVISIBLETIME
 * (docs/pop.md) and decodes their answers, building each message's receipt handle exactly as the
 * RocketMQ client does. Stateless.
 */
final class PopRequests {
  private PopRequests() {}

  /** What to pop. */
  record PopSpec(
      String group,
      String topic,
      String brokerName,
      int maxMessages,
      long invisibleMillis,
      long pollMillis,
      Subscription subscription) {}

  static CompletableFuture<List<ReceivedMessage>> pop(
      RemotingClient remoting, String address, PopSpec s, long callTimeoutMillis) {
    RemotingCommand request =
        RemotingCommand.request(RequestCode.POP_MESSAGE)
            .put("consumerGroup", s.group())
            .put("topic", s.topic())
            .put("queueId", -1)
            .put("maxMsgNums", s.maxMessages())
            .put("invisibleTime", s.invisibleMillis())
            .put("pollTime", s.pollMillis())
            .put("bornTime", System.currentTimeMillis())
            .put("initMode", 0)
            .put("expType", s.subscription().type())
            .put("exp", s.subscription().expression())
            .put("bname", s.brokerName());
    return BrokerProxy.invokeAsync(
            remoting, address, request, callTimeoutMillis, "pop from " + address)
        .thenApply(r -> received(r, s, address));
  }

  private static List<ReceivedMessage> received(RemotingCommand r, PopSpec s, String address) {
    switch (r.code()) {
      case ResponseCode.SUCCESS -> {}
      case ResponseCode.PULL_NOT_FOUND, ResponseCode.POLLING_TIMEOUT, ResponseCode.POLLING_FULL -> {
        return List.of();
      }
      default -> throw new ClientException(r.code(), "pop failed: " + r.code() + " " + r.remark());
    }
    long popTime = Long.parseLong(r.get("popTime"));
    long invisible = Long.parseLong(r.get("invisibleTime"));
    String reviveQid = r.get("reviveQid");
    Map<String, Long> start = new HashMap<>();
    String info = r.get("startOffsetInfo");
    if (info != null && !info.isEmpty()) {
      for (String part : info.split(";")) {
        String[] f = part.split(" ");
        start.put(f[0] + "@" + f[1], Long.parseLong(f[2]));
      }
    }
    List<ReceivedMessage> out = new ArrayList<>();
    Instant until = Instant.ofEpochMilli(popTime + invisible);
    for (MessageView v : RecordDecoder.decode(r.body(), s.brokerName())) {
      String mark = v.topic().startsWith("%RETRY%") ? (v.topic().contains("+") ? "2" : "1") : "0";
      long ck = start.getOrDefault(mark + "@" + v.queue().queueId(), v.queueOffset());
      String handle =
          String.join(
              " ",
              Long.toString(ck),
              Long.toString(popTime),
              Long.toString(invisible),
              reviveQid,
              mark,
              s.brokerName(),
              Integer.toString(v.queue().queueId()),
              Long.toString(v.queueOffset()));
      out.add(new ReceivedMessage(v, address, handle, until));
    }
    return out;
  }

  /** Acknowledges; throws ClientException when the broker refuses (expired handle: NO_MESSAGE). */
  static CompletableFuture<Void> ack(
      RemotingClient remoting, String group, ReceivedMessage m, long timeoutMillis) {
    RemotingCommand request = handleRequest(RequestCode.ACK_MESSAGE, group, m);
    return BrokerProxy.invokeAsync(remoting, m.brokerAddress(), request, timeoutMillis, "ack")
        .thenApply(
            r -> {
              BrokerProxy.expect(r, "ack");
              return null;
            });
  }

  /**
   * Acknowledges messages popped from the broker at {@code address} with one BATCH_ACK_MESSAGE: one
   * entry per queue and pop. Fails with NO_MESSAGE (208) when the broker answers that some of them
   * were not in flight (their handles expired: they may come again); a broker that does not serve
   * the code gets one ACK_MESSAGE per message instead.
   */
  static CompletableFuture<Void> batchAck(
      RemotingClient remoting,
      String group,
      String address,
      List<ReceivedMessage> messages,
      long timeoutMillis) {
    if (messages.size() == 1) {
      return ack(remoting, group, messages.get(0), timeoutMillis);
    }
    record Pop(String topic, int queueId, long popTime, long invisible) {}
    Map<Pop, List<Long>> byPop = new LinkedHashMap<>();
    for (ReceivedMessage m : messages) {
      String[] f = m.receiptHandle().split(" ");
      Pop key =
          new Pop(
              m.view().topic(),
              m.view().queue().queueId(),
              Long.parseLong(f[1]),
              Long.parseLong(f[2]));
      byPop.computeIfAbsent(key, k -> new ArrayList<>()).add(m.view().queueOffset());
    }
    List<BatchAckBody.Entry> entries = new ArrayList<>(byPop.size());
    byPop.forEach(
        (k, offsets) ->
            entries.add(
                BatchAckBody.Entry.of(
                    group,
                    k.topic(),
                    k.queueId(),
                    k.popTime(),
                    k.invisible(),
                    offsets.stream().mapToLong(Long::longValue).toArray())));
    String brokerName = messages.get(0).view().queue().brokerName();
    RemotingCommand request =
        RemotingCommand.request(RequestCode.BATCH_ACK_MESSAGE)
            .body(RemotingJson.encode(new BatchAckBody(brokerName, entries)));
    return BrokerProxy.invokeAsync(remoting, address, request, timeoutMillis, "batch ack")
        .thenCompose(
            r -> {
              if (r.code() == ResponseCode.REQUEST_CODE_NOT_SUPPORTED) {
                return CompletableFuture.allOf(
                    messages.stream()
                        .map(m -> ack(remoting, group, m, timeoutMillis))
                        .toArray(CompletableFuture<?>[]::new));
              }
              BrokerProxy.expect(r, "batch ack");
              String refused = r.get("refused");
              if (refused != null && !refused.equals("0")) {
                throw new ClientException(
                    ResponseCode.NO_MESSAGE,
                    "batch ack: "
                        + refused
                        + " of "
                        + messages.size()
                        + " messages were not in flight (handles expired)");
              }
              return CompletableFuture.completedFuture(null);
            });
  }

  /** Changes the invisibility; the answer's popTime makes the new handle. */
  static CompletableFuture<ReceivedMessage> changeInvisible(
      RemotingClient remoting,
      String group,
      ReceivedMessage m,
      long invisibleMillis,
      long timeoutMillis) {
    RemotingCommand request =
        handleRequest(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, group, m)
            .put("invisibleTime", invisibleMillis);
    String what = "change invisible time";
    return BrokerProxy.invokeAsync(remoting, m.brokerAddress(), request, timeoutMillis, what)
        .thenApply(
            r -> {
              BrokerProxy.expect(r, what);
              long popTime = Long.parseLong(r.get("popTime"));
              String[] f = m.receiptHandle().split(" ");
              f[1] = Long.toString(popTime);
              f[2] = Long.toString(invisibleMillis);
              return new ReceivedMessage(
                  m.view(),
                  m.brokerAddress(),
                  String.join(" ", f),
                  Instant.ofEpochMilli(popTime + invisibleMillis));
            });
  }

  private static RemotingCommand handleRequest(int code, String group, ReceivedMessage m) {
    return RemotingCommand.request(code)
        .put("consumerGroup", group)
        .put("topic", m.view().topic())
        .put("queueId", m.view().queue().queueId())
        .put("offset", m.view().queueOffset())
        .put("extraInfo", m.receiptHandle())
        .put("bname", m.view().queue().brokerName());
  }
}
