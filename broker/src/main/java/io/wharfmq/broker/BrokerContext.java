package io.wharfmq.broker;

import io.wharfmq.broker.client.ClientRegistry;
import io.wharfmq.broker.lock.QueueLockManager;
import io.wharfmq.broker.longpoll.PullRequestHoldService;
import io.wharfmq.broker.offset.ConsumerOffsetManager;
import io.wharfmq.broker.schedule.DelayLevels;
import io.wharfmq.broker.stats.BrokerStats;
import io.wharfmq.broker.subscription.SubscriptionGroupManager;
import io.wharfmq.broker.topic.TopicConfigManager;
import io.wharfmq.store.MessageStore;
import java.net.InetSocketAddress;
import java.time.InstantSource;

/**
 * What request processors share: configuration, store, topics, offsets, clients, the clock, this
 * broker's advertised address and a way to tell name servers about topic changes. Immutable; every
 * part is thread-safe.
 *
 * @param storeHost address written into records and offset message ids (brokerIP1:port)
 * @param topicsChanged asks for a registration with every name server soon (in the background)
 * @param registerNow registers with every name server before returning: after a topic was created
 *     by an admin request, so the caller's next route lookup already finds it (as RocketMQ). A
 *     topic created by a send uses topicsChanged: nothing may hold up a send's answer
 * @param delayLevels the configured delay levels
 * @param subscriptionGroups consumer groups and their settings
 * @param queueLocks orderly consumers' queue locks
 * @param stats message counters for runtime info
 */
public record BrokerContext(
    BrokerConfig config,
    MessageStore store,
    TopicConfigManager topics,
    ConsumerOffsetManager offsets,
    ClientRegistry clients,
    PullRequestHoldService pullHolds,
    InstantSource clock,
    InetSocketAddress storeHost,
    Runnable topicsChanged,
    Runnable registerNow,
    DelayLevels delayLevels,
    SubscriptionGroupManager subscriptionGroups,
    QueueLockManager queueLocks,
    BrokerStats stats) {}
