package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.auth.AccessStore;
import io.wharfmq.broker.pop.RequestModeTable;
import io.wharfmq.broker.service.LocalMessagingService;
import io.wharfmq.remoting.netty.RemotingServer;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.RequestCode;
import java.util.concurrent.ExecutorService;

/**
 * Which processor answers each request code the broker serves (docs/protocol.md), on which
 * executor: sends, send-backs and transaction ends on the send pool, pulls on the pull pool, POP on
 * the pop pool, everything else on the manage pool. The broker owns and stops the pools. Used by
 * the starting thread only.
 */
public final class RequestRouting {
  private final RemotingServer server;
  private final BrokerContext ctx;
  private final LocalMessagingService service;
  private final ExecutorService send;
  private final ExecutorService pull;
  private final ExecutorService manage;
  private final ExecutorService pop;

  public RequestRouting(
      RemotingServer server,
      BrokerContext ctx,
      LocalMessagingService service,
      ExecutorService send,
      ExecutorService pull,
      ExecutorService manage,
      ExecutorService pop) {
    this.server = server;
    this.ctx = ctx;
    this.service = service;
    this.send = send;
    this.pull = pull;
    this.manage = manage;
    this.pop = pop;
  }

  /**
   * Registers every processor but the POP ones, which must wait until the pop state is rebuilt
   * ({@link #registerPop}). Returns the client-manage processor: the broker tells it about closed
   * channels and expired clients.
   */
  public ClientManageProcessor registerAllButPop() {
    SendMessageProcessor sendProcessor = new SendMessageProcessor(ctx, service);
    register(
        new int[] {
          RequestCode.SEND_MESSAGE, RequestCode.SEND_MESSAGE_V2, RequestCode.SEND_BATCH_MESSAGE
        },
        sendProcessor,
        send);
    PullMessageProcessor pullProcessor = new PullMessageProcessor(ctx, service, pull);
    register(
        new int[] {RequestCode.PULL_MESSAGE, RequestCode.LITE_PULL_MESSAGE}, pullProcessor, pull);
    register(
        new int[] {
          RequestCode.QUERY_CONSUMER_OFFSET,
          RequestCode.UPDATE_CONSUMER_OFFSET,
          RequestCode.GET_CONSUMER_LIST_BY_GROUP
        },
        new ConsumerManageProcessor(ctx, service),
        manage);
    ClientManageProcessor clientManage = new ClientManageProcessor(ctx);
    register(
        new int[] {RequestCode.HEART_BEAT, RequestCode.UNREGISTER_CLIENT}, clientManage, manage);
    register(AdminProcessor.CODES, new AdminProcessor(ctx, service), manage);
    register(
        SubscriptionGroupProcessor.CODES, new SubscriptionGroupProcessor(ctx, service), manage);
    register(ConsumerStatsProcessor.CODES, new ConsumerStatsProcessor(ctx), manage);
    register(
        new int[] {
          RequestCode.GET_BROKER_CONFIG,
          RequestCode.UPDATE_BROKER_CONFIG,
          RequestCode.GET_BROKER_RUNTIME_INFO
        },
        new BrokerInfoProcessor(ctx),
        manage);
    server.registerProcessor(
        RequestCode.CONSUMER_SEND_MSG_BACK, new SendBackProcessor(ctx, service), send);
    register(
        new int[] {RequestCode.LOCK_BATCH_MQ, RequestCode.UNLOCK_BATCH_MQ},
        new QueueLockProcessor(ctx.queueLocks()),
        manage);
    server.registerProcessor(
        RequestCode.END_TRANSACTION, new EndTransactionProcessor(service), send);
    server.registerProcessor(
        SendTransactionProcessor.CODE, new SendTransactionProcessor(ctx, service), send);
    server.registerProcessor(
        RequestCode.CHECK_CLIENT_CONFIG, new CheckClientConfigProcessor(ctx.config()), manage);
    server.registerProcessor(
        RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, new ResetOffsetProcessor(ctx), manage);
    register(VhostProcessor.CODES, new VhostProcessor(service), manage);
    register(
        DestinationAdminProcessor.CODES,
        new DestinationAdminProcessor(ctx, service, service.containerClaims()),
        manage);
    register(UnsupportedFeatureProcessor.CODES, new UnsupportedFeatureProcessor(), manage);
    server.registerProcessor(
        RequestCode.VIEW_BROKER_STATS_DATA, new BrokerStatsDataProcessor(ctx), manage);
    register(
        new int[] {RequestCode.QUERY_MESSAGE, RequestCode.VIEW_MESSAGE_BY_ID},
        new QueryMessageProcessor(ctx),
        manage);
    return clientManage;
  }

  /** Registers ACL 2.0's user and permission administration (3001-3010) on {@code access}. */
  public void registerAccessAdmin(AccessStore access) {
    register(AccessAdminProcessor.CODES, new AccessAdminProcessor(access), manage);
  }

  /** Registers pop, ack, batch ack, invisibility change and the request-mode codes. */
  public void registerPop(RequestModeTable modes) {
    server.registerProcessor(RequestCode.POP_MESSAGE, new PopMessageProcessor(ctx, service), pop);
    register(
        new int[] {RequestCode.ACK_MESSAGE, RequestCode.CHANGE_MESSAGE_INVISIBLETIME},
        new PopAckProcessor(ctx, service),
        pop);
    server.registerProcessor(
        RequestCode.BATCH_ACK_MESSAGE, new BatchAckProcessor(ctx, service), pop);
    register(
        new int[] {RequestCode.QUERY_ASSIGNMENT, RequestCode.SET_MESSAGE_REQUEST_MODE},
        new QueryAssignmentProcessor(ctx, modes),
        manage);
  }

  private void register(int[] codes, RequestProcessor processor, ExecutorService executor) {
    for (int code : codes) {
      server.registerProcessor(code, processor, executor);
    }
  }
}
