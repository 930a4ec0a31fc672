package io.wharfmq.amqp.management;

import io.wharfmq.service.Status;

/**
 * The one place where service statuses become /management HTTP status codes (docs/rabbitmq.md, "The
 * /management node"). Stateless; thread-safe.
 */
final class HttpStatus {
  static final int OK = 200;
  static final int CREATED = 201;
  static final int NO_CONTENT = 204;
  static final int BAD_REQUEST = 400;
  static final int FORBIDDEN = 403;
  static final int NOT_FOUND = 404;
  static final int CONFLICT = 409;
  static final int INTERNAL_ERROR = 500;
  static final int NOT_IMPLEMENTED = 501;
  static final int UNAVAILABLE = 503;

  private HttpStatus() {}

  /** The code a failed service call answers with. */
  static int of(Status status) {
    return switch (status) {
      case OK -> OK;
      case CONFLICT -> CONFLICT;
      case FORBIDDEN -> FORBIDDEN;
      case NOT_FOUND -> NOT_FOUND;
      case ILLEGAL, TOO_LARGE -> BAD_REQUEST;
      case UNAVAILABLE, BUSY, DISK_FULL, QUEUE_FULL -> UNAVAILABLE;
      case STALE, UNROUTABLE, ERROR -> INTERNAL_ERROR;
    };
  }
}
