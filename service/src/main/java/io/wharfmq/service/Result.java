package io.wharfmq.service;

/**
 * A status, a detail for the caller and, when OK, a value. Immutable.
 *
 * @param detail human-readable reason for a status other than OK (sent to the client), else null
 */
public record Result<T>(Status status, String detail, T value) {
  public static <T> Result<T> ok(T value) {
    return new Result<>(Status.OK, null, value);
  }

  public static <T> Result<T> fail(Status status, String detail) {
    if (status == Status.OK) {
      throw new IllegalArgumentException("a failure needs a status other than OK");
    }
    return new Result<>(status, detail, null);
  }

  public boolean isOk() {
    return status == Status.OK;
  }
}
