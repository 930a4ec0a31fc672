package io.wharfmq.broker.processor;

import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.service.AckStatus;
import io.wharfmq.service.Status;

/**
 * The one place where the service's outcomes become RocketMQ response codes (the table in
 * docs/architecture.md). Where RocketMQ answers a finer code than a status can tell (an unknown
 * group: 26; a bad queueId or pop parameter: 1; a filter that does not parse: 23), the processor
 * checks that part of the request itself before calling the service. Stateless.
 */
final class ResponseCodes {
  private ResponseCodes() {}

  /** The code for a status of any service call. */
  static int of(Status status) {
    return switch (status) {
      case OK -> ResponseCode.SUCCESS;
      case NOT_FOUND -> ResponseCode.TOPIC_NOT_EXIST;
      case ILLEGAL, TOO_LARGE -> ResponseCode.MESSAGE_ILLEGAL;
      case FORBIDDEN -> ResponseCode.NO_PERMISSION;
      case CONFLICT -> ResponseCode.MESSAGE_ILLEGAL;
      case UNROUTABLE -> ResponseCode.SUCCESS;
      case BUSY, QUEUE_FULL -> ResponseCode.SYSTEM_BUSY;
      case DISK_FULL, UNAVAILABLE -> ResponseCode.SERVICE_NOT_AVAILABLE;
      case STALE -> ResponseCode.NO_MESSAGE;
      case ERROR -> ResponseCode.SYSTEM_ERROR;
    };
  }

  /** The code for an ack, release or invisibility change of a popped message. */
  static int of(AckStatus status) {
    return switch (status) {
      case OK -> ResponseCode.SUCCESS;
      case NOT_IN_FLIGHT, STALE -> ResponseCode.NO_MESSAGE;
      case FAILED -> ResponseCode.SYSTEM_ERROR;
    };
  }
}
