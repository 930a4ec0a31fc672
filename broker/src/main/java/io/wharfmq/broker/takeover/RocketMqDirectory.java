package io.wharfmq.broker.takeover;

import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.offset.ConsumerOffsetManager;
import io.wharfmq.broker.pop.RequestModeTable;
import io.wharfmq.broker.schedule.ScheduleMessageService;
import io.wharfmq.broker.subscription.SubscriptionGroupManager;
import io.wharfmq.broker.topic.TopicConfigManager;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupConfig;
import io.wharfmq.store.takeover.RocketMqTakeover;
import io.wharfmq.store.takeover.TakeoverRefusedException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's part of starting on an Apache RocketMQ store directory (docs/storage.md, "Data in
 * place"): after the store's read-only inspection ({@link RocketMqTakeover#inspect}), reads every
 * configuration file the broker will load (topics.json, consumerOffset.json,
 * subscriptionGroup.json, delayOffset.json, messageRequestMode.json) with the broker's own readers,
 * writing nothing; only when all of that succeeds is the directory taken over ({@link
 * RocketMqTakeover#apply}). The broker then loads those files as its own: they have RocketMQ's
 * names and shapes. Runs once on the starting thread.
 */
public final class RocketMqDirectory {
  private static final Logger log = LoggerFactory.getLogger(RocketMqDirectory.class);

  private RocketMqDirectory() {}

  /**
   * Takes over the store directory if Apache RocketMQ wrote it; does nothing for an empty or Wharf
   * directory.
   *
   * @throws TakeoverRefusedException when it cannot be taken over; nothing was changed
   */
  public static void takeOverIfRocketMq(BrokerConfig config, Path configDir, InstantSource clock)
      throws IOException {
    RocketMqTakeover takeover = check(config, configDir, clock);
    if (takeover == null) {
      return;
    }
    takeover.apply(clock);
    log.info(
        "Configuration files in {} are read as Wharf's (RocketMQ's names and shapes)", configDir);
  }

  /**
   * Everything {@link #takeOverIfRocketMq} checks, writing nothing: a launcher calls it before it
   * puts its own files (pid, logs) into the directory, so a refused directory stays as it was.
   *
   * @return the take-over to apply, or null for an empty or Wharf directory
   * @throws TakeoverRefusedException when it cannot be taken over
   */
  public static RocketMqTakeover check(BrokerConfig config, Path configDir, InstantSource clock)
      throws IOException {
    RocketMqTakeover takeover = RocketMqTakeover.inspect(config.store(), config.timerSettings());
    if (takeover == null) {
      return null;
    }
    List<String> refusals = new ArrayList<>();
    read(refusals, "topics.json", () -> new TopicConfigManager(configDir, clock).read());
    read(refusals, "consumerOffset.json", () -> new ConsumerOffsetManager(configDir).load());
    read(
        refusals,
        SubscriptionGroupManager.FILE_NAME,
        () ->
            new SubscriptionGroupManager(
                    configDir, clock, false, SubscriptionGroupConfig.DEFAULT_RETRY_MAX_TIMES)
                .load());
    read(
        refusals,
        ScheduleMessageService.FILE_NAME,
        () -> ScheduleMessageService.readProgress(configDir));
    read(refusals, "messageRequestMode.json", () -> new RequestModeTable(configDir).load());
    if (!refusals.isEmpty()) {
      throw new TakeoverRefusedException(config.store().storePathRootDir(), refusals);
    }
    return takeover;
  }

  private interface Reader {
    void read() throws IOException;
  }

  private static void read(List<String> refusals, String file, Reader reader) {
    try {
      reader.read();
    } catch (IOException | RuntimeException e) {
      refusals.add("config/" + file + " cannot be read: " + e.getMessage());
    }
  }
}
