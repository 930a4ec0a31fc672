package io.wharfmq.remoting.protocol;

/**
 * RocketMQ response codes, with the values of Apache RocketMQ's ResponseCode and
 * RemotingSysResponseCode. The one registry of wire error codes; a code never changes meaning.
 */
public final class ResponseCode {
  private ResponseCode() {}

  public static final int SUCCESS = 0;
  public static final int SYSTEM_ERROR = 1;
  public static final int SYSTEM_BUSY = 2;
  public static final int REQUEST_CODE_NOT_SUPPORTED = 3;
  public static final int TRANSACTION_FAILED = 4;
  public static final int FLUSH_DISK_TIMEOUT = 10;
  public static final int SLAVE_NOT_AVAILABLE = 11;
  public static final int FLUSH_SLAVE_TIMEOUT = 12;
  public static final int MESSAGE_ILLEGAL = 13;
  public static final int SERVICE_NOT_AVAILABLE = 14;
  public static final int VERSION_NOT_SUPPORTED = 15;
  public static final int NO_PERMISSION = 16;
  public static final int TOPIC_NOT_EXIST = 17;
  public static final int TOPIC_EXIST_ALREADY = 18;
  public static final int PULL_NOT_FOUND = 19;
  public static final int PULL_RETRY_IMMEDIATELY = 20;
  public static final int PULL_OFFSET_MOVED = 21;
  public static final int QUERY_NOT_FOUND = 22;
  public static final int SUBSCRIPTION_PARSE_FAILED = 23;
  public static final int SUBSCRIPTION_NOT_EXIST = 24;
  public static final int SUBSCRIPTION_NOT_LATEST = 25;
  public static final int SUBSCRIPTION_GROUP_NOT_EXIST = 26;
  public static final int INVALID_PARAMETER = 29;
  public static final int CONSUMER_NOT_ONLINE = 206;
  public static final int NO_MESSAGE = 208;
  public static final int POLLING_FULL = 209;
  public static final int POLLING_TIMEOUT = 210;
  public static final int FLOW_CONTROL = 215;
  public static final int ILLEGAL_OPERATION = 604;
  public static final int GO_AWAY = 1500;

  // Wharf's own codes (docs/protocol.md, "Wharf's own request codes").

  /** WHARF_CLAIM_CLIENT_ID: another live connection holds the client ID. */
  public static final int WHARF_CLIENT_ID_IN_USE = 7050;
}
