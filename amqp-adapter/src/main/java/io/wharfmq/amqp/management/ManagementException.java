package io.wharfmq.amqp.management;

/** A request the node refuses: its HTTP status and the explanation the response carries. */
final class ManagementException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;

  ManagementException(int status, String explanation) {
    super(explanation, null, false, false);
    this.status = status;
  }
}
