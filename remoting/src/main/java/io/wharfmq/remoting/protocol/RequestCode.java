package io.wharfmq.remoting.protocol;

/**
 * RocketMQ request codes Wharf knows, with the values of Apache RocketMQ's RequestCode. A code
 * never changes meaning. docs/protocol.md lists which ones are served and what they answer.
 */
public final class RequestCode {
  private RequestCode() {}

  public static final int SEND_MESSAGE = 10;
  public static final int PULL_MESSAGE = 11;
  public static final int QUERY_MESSAGE = 12;
  public static final int QUERY_CONSUMER_OFFSET = 14;
  public static final int UPDATE_CONSUMER_OFFSET = 15;
  public static final int UPDATE_AND_CREATE_TOPIC = 17;
  public static final int GET_ALL_TOPIC_CONFIG = 21;
  public static final int UPDATE_BROKER_CONFIG = 25;
  public static final int GET_BROKER_CONFIG = 26;
  public static final int GET_BROKER_RUNTIME_INFO = 28;
  public static final int SEARCH_OFFSET_BY_TIMESTAMP = 29;
  public static final int GET_MAX_OFFSET = 30;
  public static final int GET_MIN_OFFSET = 31;
  public static final int GET_EARLIEST_MSG_STORETIME = 32;
  public static final int VIEW_MESSAGE_BY_ID = 33;
  public static final int HEART_BEAT = 34;
  public static final int UNREGISTER_CLIENT = 35;
  public static final int CONSUMER_SEND_MSG_BACK = 36;
  public static final int END_TRANSACTION = 37;
  public static final int GET_CONSUMER_LIST_BY_GROUP = 38;
  public static final int CHECK_TRANSACTION_STATE = 39;
  public static final int NOTIFY_CONSUMER_IDS_CHANGED = 40;
  public static final int LOCK_BATCH_MQ = 41;
  public static final int UNLOCK_BATCH_MQ = 42;
  public static final int CHECK_CLIENT_CONFIG = 46;
  public static final int PUT_KV_CONFIG = 100;
  public static final int GET_KV_CONFIG = 101;
  public static final int DELETE_KV_CONFIG = 102;
  public static final int REGISTER_BROKER = 103;
  public static final int UNREGISTER_BROKER = 104;
  public static final int GET_ROUTEINFO_BY_TOPIC = 105;
  public static final int GET_BROKER_CLUSTER_INFO = 106;
  public static final int UPDATE_AND_CREATE_SUBSCRIPTIONGROUP = 200;
  public static final int GET_ALL_SUBSCRIPTIONGROUP_CONFIG = 201;
  public static final int GET_TOPIC_STATS_INFO = 202;
  public static final int GET_CONSUMER_CONNECTION_LIST = 203;
  public static final int GET_PRODUCER_CONNECTION_LIST = 204;
  public static final int GET_ALL_TOPIC_LIST_FROM_NAMESERVER = 206;
  public static final int DELETE_SUBSCRIPTIONGROUP = 207;
  public static final int GET_CONSUME_STATS = 208;
  public static final int DELETE_TOPIC_IN_BROKER = 215;
  public static final int DELETE_TOPIC_IN_NAMESRV = 216;
  public static final int GET_KVLIST_BY_NAMESPACE = 219;
  public static final int RESET_CONSUMER_CLIENT_OFFSET = 220;
  public static final int INVOKE_BROKER_TO_RESET_OFFSET = 222;
  public static final int GET_TOPICS_BY_CLUSTER = 224;
  public static final int UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST = 225;
  public static final int QUERY_TOPIC_CONSUME_BY_WHO = 300;
  public static final int GET_SYSTEM_TOPIC_LIST_FROM_NS = 304;
  public static final int GET_SYSTEM_TOPIC_LIST_FROM_BROKER = 305;
  public static final int CLEAN_EXPIRED_CONSUMEQUEUE = 306;
  public static final int GET_CONSUMER_RUNNING_INFO = 307;
  public static final int SEND_MESSAGE_V2 = 310;
  public static final int VIEW_BROKER_STATS_DATA = 315;
  public static final int CLEAN_UNUSED_TOPIC = 316;
  public static final int SEND_BATCH_MESSAGE = 320;
  public static final int GET_TOPIC_CONFIG = 351;
  public static final int GET_SUBSCRIPTIONGROUP_CONFIG = 352;
  public static final int LITE_PULL_MESSAGE = 361;
  public static final int QUERY_ASSIGNMENT = 400;
  public static final int SET_MESSAGE_REQUEST_MODE = 401;

  // RocketMQ 5's ACL 2.0 administration (docs/protocol.md, "Users and permissions").
  public static final int AUTH_CREATE_USER = 3001;
  public static final int AUTH_UPDATE_USER = 3002;
  public static final int AUTH_DELETE_USER = 3003;
  public static final int AUTH_GET_USER = 3004;
  public static final int AUTH_LIST_USER = 3005;
  public static final int AUTH_CREATE_ACL = 3006;
  public static final int AUTH_UPDATE_ACL = 3007;
  public static final int AUTH_DELETE_ACL = 3008;
  public static final int AUTH_GET_ACL = 3009;
  public static final int AUTH_LIST_ACL = 3010;

  // Wharf's own codes: 7000-7099, a range Apache RocketMQ does not use (its codes are 10-513,
  // 901-1018, 2001-2004, 3001-3010, 3442-3543 and 200050-200151) and that fits the binary header's
  // 2-byte code. docs/protocol.md, "Wharf's own request codes".

  /** Creates a vhost (header {@code vhost}). */
  public static final int WHARF_CREATE_VHOST = 7001;

  /** Deletes a vhost with everything in it (header {@code vhost}). */
  public static final int WHARF_DELETE_VHOST = 7002;

  /** The vhosts (body {@code {"vhosts":[...]}}). */
  public static final int WHARF_LIST_VHOSTS = 7003;

  /** Creates a topic unless it exists (headers {@code topic}, {@code temporary}). */
  public static final int WHARF_ENSURE_TOPIC = 7010;

  /**
   * Creates or updates a group with Wharf's settings and subscribes it to a topic, as the AMQP door
   * does for a queue or a subscription (headers in docs/protocol.md).
   */
  public static final int WHARF_ENSURE_SUBSCRIPTION = 7011;

  /** Reads what a group has not finished without taking it (a queue browser). */
  public static final int WHARF_PEEK_MESSAGE = 7012;

  /** Claims a client ID (JMS ClientID) for the connection (header {@code clientId}). */
  public static final int WHARF_CLAIM_CLIENT_ID = 7013;

  /** Gives back a client ID the connection claimed (header {@code clientId}). */
  public static final int WHARF_RELEASE_CLIENT_ID = 7014;

  /**
   * Stores several messages, each with its own topic and queue, all or none (a JMS transaction's
   * sends; body layout in docs/protocol.md).
   */
  public static final int WHARF_SEND_TRANSACTION = 7015;

  public static final int POP_MESSAGE = 200050;
  public static final int ACK_MESSAGE = 200051;
  public static final int CHANGE_MESSAGE_INVISIBLETIME = 200053;
  public static final int BATCH_ACK_MESSAGE = 200151;
}
