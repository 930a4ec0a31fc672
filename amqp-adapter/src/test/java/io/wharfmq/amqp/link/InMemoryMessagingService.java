package io.wharfmq.amqp.link;

import io.wharfmq.service.AckStatus;
import io.wharfmq.service.ChangeResult;
import io.wharfmq.service.EndTransactionCommand;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.GroupSettings;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.PeekCommand;
import io.wharfmq.service.PeekPosition;
import io.wharfmq.service.PeekResult;
import io.wharfmq.service.PopCommand;
import io.wharfmq.service.PopResult;
import io.wharfmq.service.PropertiesText;
import io.wharfmq.service.PullCommand;
import io.wharfmq.service.PullResult;
import io.wharfmq.service.Receipt;
import io.wharfmq.service.ReceivedMessage;
import io.wharfmq.service.Result;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.service.Subscription;
import io.wharfmq.service.TopicInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A small in-memory stand-in for the broker's service, for testing the link layer alone (the
 * broker's own LocalMessagingService is tested in the broker module, and end to end in
 * interop-tests). One log per topic; each group keeps, per topic, the next offset, the messages in
 * flight and the ones given back. SQL92 filters understand {@code A = 'x'}, {@code A <> 'x'},
 * {@code A IS NULL}, AND, OR and parentheses; anything else is ILLEGAL. Thread-safe (one lock).
 */
final class InMemoryMessagingService implements MessagingService, AutoCloseable {
  record Stored(String topic, int queueId, long offset, OutgoingMessage m) {}

  private static final class GroupTopic {
    long next;
    final TreeMap<Long, Integer> visibleAgain = new TreeMap<>(); // offset -> reconsume times
    final Map<Long, long[]> inFlight = new HashMap<>(); // offset -> {popTime, reconsume}
    final java.util.Set<Long> done = new java.util.HashSet<>();
    Subscription subscription;
  }

  private record Waiter(PopCommand command, CompletableFuture<PopResult> future) {}

  private final Map<String, List<Stored>> topics = new LinkedHashMap<>();
  private final Map<String, GroupSettings> groups = new LinkedHashMap<>();
  private final Map<String, Map<String, GroupTopic>> state = new HashMap<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private long clock = 1;
  private long renewals;
  private boolean holdSends;
  private final List<Runnable> heldSends = new ArrayList<>();

  // ------------------------------------------------------------------ test views

  synchronized List<Stored> messages(String topic) {
    return new ArrayList<>(topics.getOrDefault(topic, List.of()));
  }

  synchronized boolean hasTopic(String topic) {
    return topics.containsKey(topic);
  }

  synchronized int inFlight(String group, String topic) {
    GroupTopic gt = state.getOrDefault(group, Map.of()).get(topic);
    return gt == null ? 0 : gt.inFlight.size();
  }

  synchronized int finished(String group, String topic) {
    GroupTopic gt = state.getOrDefault(group, Map.of()).get(topic);
    return gt == null ? 0 : gt.done.size();
  }

  synchronized java.util.Set<String> groupNames() {
    return new java.util.LinkedHashSet<>(groups.keySet());
  }

  /** While set, sends are stored only when {@link #releaseSends} runs. */
  synchronized void holdSends(boolean hold) {
    holdSends = hold;
  }

  synchronized int heldSendCount() {
    return heldSends.size();
  }

  void releaseSends() {
    List<Runnable> todo;
    synchronized (this) {
      todo = new ArrayList<>(heldSends);
      heldSends.clear();
    }
    todo.forEach(Runnable::run);
  }

  // ------------------------------------------------------------------ topics and groups

  @Override
  public synchronized TopicInfo topic(String topic) {
    return topics.containsKey(topic) ? info(topic) : null;
  }

  private static TopicInfo info(String topic) {
    return new TopicInfo(topic, 4, 4, true, true, false);
  }

  @Override
  public synchronized Result<TopicInfo> ensureTopic(String topic) {
    if (!topic.matches("[%|a-zA-Z0-9_-]{1,127}")) {
      return Result.fail(Status.ILLEGAL, "bad topic " + topic);
    }
    topics.computeIfAbsent(topic, t -> new ArrayList<>());
    return Result.ok(info(topic));
  }

  @Override
  public synchronized Result<Void> deleteTopic(String topic) {
    topics.remove(topic);
    return Result.ok(null);
  }

  @Override
  public synchronized Result<Void> ensureGroup(GroupSettings settings) {
    if (!settings.name().matches("[%|a-zA-Z0-9_-]{1,255}")) {
      return Result.fail(Status.ILLEGAL, "bad group " + settings.name());
    }
    groups.put(settings.name(), settings);
    return Result.ok(null);
  }

  @Override
  public synchronized Result<Void> deleteGroup(String group) {
    groups.remove(group);
    state.remove(group);
    return Result.ok(null);
  }

  @Override
  public synchronized GroupSettings group(String group) {
    return groups.get(group);
  }

  @Override
  public synchronized Result<Void> subscribe(Subscription s) {
    if (s.type() == FilterType.SQL92 && !SqlLite.valid(s.expression())) {
      return Result.fail(Status.ILLEGAL, "bad selector " + s.expression());
    }
    GroupTopic gt = groupTopic(s.group(), s.topic());
    if (gt.subscription == null) {
      gt.next = topics.getOrDefault(s.topic(), List.of()).size();
    }
    gt.subscription = s;
    return Result.ok(null);
  }

  @Override
  public synchronized Result<Void> unsubscribe(String group, String topic) {
    Map<String, GroupTopic> m = state.get(group);
    if (m != null) {
      m.remove(topic);
    }
    return Result.ok(null);
  }

  private GroupTopic groupTopic(String group, String topic) {
    return state
        .computeIfAbsent(group, g -> new HashMap<>())
        .computeIfAbsent(topic, t -> new GroupTopic());
  }

  // ------------------------------------------------------------------ sending

  @Override
  public CompletableFuture<SendResult> send(SendCommand c) {
    CompletableFuture<SendResult> f = new CompletableFuture<>();
    Runnable store = () -> f.complete(store(c));
    synchronized (this) {
      if (holdSends) {
        heldSends.add(store);
        return f;
      }
    }
    store.run();
    return f;
  }

  private SendResult store(SendCommand c) {
    List<Waiter> wake;
    SendResult r;
    synchronized (this) {
      List<Stored> log = topics.get(c.topic());
      if (log == null) {
        if (!c.autoCreate()) {
          return SendResult.fail(Status.NOT_FOUND, "no topic " + c.topic(), c.topic());
        }
        ensureTopic(c.topic());
        log = topics.get(c.topic());
      }
      long offset = log.size();
      for (OutgoingMessage m : c.messages()) {
        log.add(new Stored(c.topic(), c.queueId(), log.size(), m));
      }
      r =
          new SendResult(
              Status.OK,
              null,
              c.topic(),
              c.queueId(),
              offset,
              List.of("id" + offset),
              null,
              c.topic());
      wake = new ArrayList<>(waiters);
      waiters.clear();
    }
    for (Waiter w : wake) {
      pop(w.command())
          .thenAccept(
              p -> {
                if (p.messages().isEmpty()) {
                  synchronized (this) {
                    waiters.add(w);
                  }
                } else if (!w.future().complete(p)) {
                  giveBack(p); // cancelled meanwhile, as LocalMessagingService does
                }
              });
    }
    return r;
  }

  @Override
  public CompletableFuture<Result<Void>> endTransaction(EndTransactionCommand command) {
    return CompletableFuture.completedFuture(Result.fail(Status.FORBIDDEN, "not here"));
  }

  // ------------------------------------------------------------------ POP

  @Override
  public CompletableFuture<PopResult> pop(PopCommand c) {
    PopResult r = popNow(c);
    if (!r.messages().isEmpty() || c.pollMillis() <= 0 || r.status() != Status.OK) {
      return CompletableFuture.completedFuture(r);
    }
    CompletableFuture<PopResult> f = new CompletableFuture<>();
    Waiter w =
        new Waiter(
            new PopCommand(
                c.group(),
                c.topic(),
                c.queueId(),
                c.max(),
                c.invisibleMillis(),
                0,
                c.filterType(),
                c.expression(),
                c.startAtHead()),
            f);
    synchronized (this) {
      waiters.add(w);
    }
    timer.schedule(
        () -> {
          synchronized (this) {
            waiters.remove(w);
          }
          f.complete(new PopResult(Status.OK, null, 0, List.of(), 0));
        },
        c.pollMillis(),
        TimeUnit.MILLISECONDS);
    return f;
  }

  private void giveBack(PopResult p) {
    for (ReceivedMessage m : p.messages()) {
      release(m.receipt(), false);
    }
  }

  private synchronized PopResult popNow(PopCommand c) {
    if (!groups.containsKey(c.group())) {
      return PopResult.fail(Status.NOT_FOUND, "no group " + c.group());
    }
    List<Stored> log = topics.get(c.topic());
    if (log == null) {
      return PopResult.fail(Status.NOT_FOUND, "no topic " + c.topic());
    }
    if (c.filterType() == FilterType.SQL92 && !SqlLite.valid(c.expression())) {
      return PopResult.fail(Status.ILLEGAL, "bad selector");
    }
    GroupTopic gt = groupTopic(c.group(), c.topic());
    long popTime = clock++;
    List<ReceivedMessage> out = new ArrayList<>();
    for (var it = gt.visibleAgain.entrySet().iterator(); it.hasNext() && out.size() < c.max(); ) {
      var e = it.next();
      it.remove();
      take(c, gt, log.get(e.getKey().intValue()), e.getValue(), popTime, out);
    }
    while (out.size() < c.max() && gt.next < log.size()) {
      Stored s = log.get((int) gt.next++);
      take(c, gt, s, s.m().reconsumeTimes(), popTime, out);
    }
    return new PopResult(Status.OK, null, popTime, out, 0);
  }

  private void take(
      PopCommand c,
      GroupTopic gt,
      Stored s,
      int reconsume,
      long popTime,
      List<ReceivedMessage> out) {
    if (!matches(c.filterType(), c.expression(), s)) {
      gt.done.add(s.offset());
      return;
    }
    gt.inFlight.put(s.offset(), new long[] {popTime, reconsume});
    out.add(
        new Msg(s, reconsume, new Receipt(c.group(), c.topic(), s.queueId(), s.offset(), popTime)));
  }

  private static boolean matches(FilterType type, String expr, Stored s) {
    if (type == FilterType.TAG || expr == null || expr.equals("*")) {
      return true;
    }
    return SqlLite.matches(expr, PropertiesText.decode(s.m().properties()));
  }

  private long[] inFlight(Receipt r) {
    GroupTopic gt = state.getOrDefault(r.group(), Map.of()).get(r.topic());
    if (gt == null) {
      return null;
    }
    long[] f = gt.inFlight.get(r.queueOffset());
    return f != null && f[0] == r.popTime() ? f : null;
  }

  synchronized long renewals() {
    return renewals;
  }

  @Override
  public synchronized CompletableFuture<AckStatus> ack(Receipt r) {
    if (inFlight(r) == null) {
      return CompletableFuture.completedFuture(AckStatus.NOT_IN_FLIGHT);
    }
    GroupTopic gt = state.get(r.group()).get(r.topic());
    gt.inFlight.remove(r.queueOffset());
    gt.done.add(r.queueOffset());
    return CompletableFuture.completedFuture(AckStatus.OK);
  }

  @Override
  public synchronized CompletableFuture<ChangeResult> changeInvisibility(
      Receipt r, long invisibleMillis) {
    renewals++;
    long[] f = inFlight(r);
    if (f == null) {
      return CompletableFuture.completedFuture(new ChangeResult(AckStatus.NOT_IN_FLIGHT, null));
    }
    f[0] = clock++;
    return CompletableFuture.completedFuture(
        new ChangeResult(
            AckStatus.OK, new Receipt(r.group(), r.topic(), r.queueId(), r.queueOffset(), f[0])));
  }

  @Override
  public CompletableFuture<AckStatus> release(Receipt r, boolean countDelivery) {
    List<Waiter> wake;
    synchronized (this) {
      long[] f = inFlight(r);
      if (f == null) {
        return CompletableFuture.completedFuture(AckStatus.NOT_IN_FLIGHT);
      }
      GroupTopic gt = state.get(r.group()).get(r.topic());
      gt.inFlight.remove(r.queueOffset());
      gt.visibleAgain.put(r.queueOffset(), (int) f[1] + (countDelivery ? 1 : 0));
      wake = new ArrayList<>(waiters);
      waiters.clear();
    }
    for (Waiter w : wake) {
      pop(w.command())
          .thenAccept(
              p -> {
                if (p.messages().isEmpty()) {
                  synchronized (this) {
                    waiters.add(w);
                  }
                } else if (!w.future().complete(p)) {
                  giveBack(p); // cancelled meanwhile, as LocalMessagingService does
                }
              });
    }
    return CompletableFuture.completedFuture(AckStatus.OK);
  }

  @Override
  public synchronized CompletableFuture<AckStatus> deadLetter(Receipt r, String reason) {
    long[] f = inFlight(r);
    if (f == null) {
      return CompletableFuture.completedFuture(AckStatus.NOT_IN_FLIGHT);
    }
    GroupTopic gt = state.get(r.group()).get(r.topic());
    gt.inFlight.remove(r.queueOffset());
    gt.done.add(r.queueOffset());
    Stored s = topics.get(r.topic()).get((int) r.queueOffset());
    topics
        .computeIfAbsent("%DLQ%" + r.group(), t -> new ArrayList<>())
        .add(new Stored("%DLQ%" + r.group(), 0, 0, s.m()));
    return CompletableFuture.completedFuture(AckStatus.OK);
  }

  @Override
  public synchronized CompletableFuture<PeekResult> peek(PeekCommand c) {
    List<Stored> log = topics.get(c.topic());
    if (log == null) {
      return CompletableFuture.completedFuture(
          new PeekResult(Status.NOT_FOUND, "no topic", List.of(), c.after()));
    }
    if (c.filterType() == FilterType.SQL92 && !SqlLite.valid(c.expression())) {
      return CompletableFuture.completedFuture(
          new PeekResult(Status.ILLEGAL, "bad selector", List.of(), c.after()));
    }
    GroupTopic gt = groupTopic(c.group(), c.topic());
    long from = c.after() == null ? 0 : c.after().nextOffsets()[0];
    List<ReceivedMessage> out = new ArrayList<>();
    long i = from;
    for (; i < log.size() && out.size() < c.max(); i++) {
      Stored s = log.get((int) i);
      if (gt.done.contains(i)) {
        continue;
      }
      if (matches(c.filterType(), c.expression(), s)) {
        out.add(new Msg(s, 0, null));
      }
    }
    return CompletableFuture.completedFuture(
        new PeekResult(Status.OK, null, out, new PeekPosition(new long[] {i})));
  }

  // ------------------------------------------------------------------ offsets: not used by AMQP
  // links

  @Override
  public CompletableFuture<PullResult> pull(PullCommand command) {
    throw new UnsupportedOperationException();
  }

  @Override
  public long committedOffset(String group, String topic, int queueId) {
    return -1;
  }

  @Override
  public void commitOffset(String group, String topic, int queueId, long offset) {}

  @Override
  public long maxOffset(String topic, int queueId) {
    return 0;
  }

  @Override
  public long minOffset(String topic, int queueId) {
    return 0;
  }

  @Override
  public long offsetAt(String topic, int queueId, long timestampMillis) {
    return 0;
  }

  @Override
  public synchronized List<String> topicsOf(String group) {
    List<String> out = new ArrayList<>();
    for (var e : state.getOrDefault(group, Map.of()).entrySet()) {
      if (e.getValue().subscription != null) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /** A delivered message. */
  private record Msg(Stored s, int reconsume, Receipt receipt) implements ReceivedMessage {
    @Override
    public String topic() {
      return s.topic();
    }

    @Override
    public int queueId() {
      return s.queueId();
    }

    @Override
    public long queueOffset() {
      return s.offset();
    }

    @Override
    public long commitLogOffset() {
      return s.offset();
    }

    @Override
    public String offsetMessageId() {
      return "id" + s.offset();
    }

    @Override
    public byte[] body() {
      return s.m().body();
    }

    @Override
    public int flag() {
      return s.m().flag();
    }

    @Override
    public String propertiesText() {
      return s.m().properties();
    }

    @Override
    public Map<String, String> properties() {
      return PropertiesText.decode(s.m().properties());
    }

    @Override
    public long bornTimestamp() {
      return s.m().bornTimestamp();
    }

    @Override
    public long storeTimestamp() {
      return s.m().bornTimestamp();
    }

    @Override
    public int reconsumeTimes() {
      return reconsume;
    }

    @Override
    public int sysFlag() {
      return 0;
    }

    @Override
    public byte[] record() {
      return s.m().body();
    }
  }
}
