package io.wharfmq.client;

import io.wharfmq.remoting.protocol.ResponseCode;

/**
 * A client operation failed: no route, the broker refused (with its response {@link #code()}), or
 * the network failed (code -1). Unchecked so that it composes with {@code CompletableFuture}.
 */
public final class ClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Code for failures that did not come from a broker response. */
  public static final int NO_RESPONSE = -1;

  /** The topic does not exist on the broker (RocketMQ's TOPIC_NOT_EXIST). */
  public static final int TOPIC_NOT_FOUND = ResponseCode.TOPIC_NOT_EXIST;

  /** The broker cannot parse a filter: a SQL92 selector (RocketMQ's SUBSCRIPTION_PARSE_FAILED). */
  public static final int BAD_SELECTOR = ResponseCode.SUBSCRIPTION_PARSE_FAILED;

  /** Another live connection holds the client ID (Wharf's WHARF_CLIENT_ID_IN_USE). */
  public static final int CLIENT_ID_IN_USE = ResponseCode.WHARF_CLIENT_ID_IN_USE;

  private final int code;

  public ClientException(int code, String message) {
    super(message);
    this.code = code;
  }

  public ClientException(String message, Throwable cause) {
    super(message, cause);
    this.code = NO_RESPONSE;
  }

  /**
   * A transport failure of an asynchronous call: {@code error} as a stage hands it over, with the
   * {@link java.util.concurrent.CompletionException} it may be wrapped in taken off.
   */
  static ClientException transport(String message, Throwable error) {
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
    return new ClientException(message, cause);
  }

  /** The broker's response code, or {@link #NO_RESPONSE}. */
  public int code() {
    return code;
  }
}
