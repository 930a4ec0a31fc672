package io.wharfmq.remoting.protocol;

/**
 * Reads typed header fields (extFields) with errors that name the field. A missing or malformed
 * required field is the client's mistake: {@link BadRequestException}, answered with an error code.
 * Stateless.
 */
public final class Headers {
  private Headers() {}

  /** A request the server cannot serve as sent; becomes an error response, not a crash. */
  public static final class BadRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BadRequestException(String message) {
      super(message);
    }
  }

  public static String string(RemotingCommand cmd, String key) {
    String v = cmd.get(key);
    if (v == null || v.isEmpty()) {
      throw new BadRequestException("the header field " + key + " is missing");
    }
    return v;
  }

  public static String string(RemotingCommand cmd, String key, String fallback) {
    String v = cmd.get(key);
    return v == null ? fallback : v;
  }

  public static int integer(RemotingCommand cmd, String key) {
    return (int) number(cmd, key, string(cmd, key));
  }

  public static int integer(RemotingCommand cmd, String key, int fallback) {
    String v = cmd.get(key);
    return v == null || v.isEmpty() ? fallback : (int) number(cmd, key, v);
  }

  public static long longValue(RemotingCommand cmd, String key) {
    return number(cmd, key, string(cmd, key));
  }

  public static long longValue(RemotingCommand cmd, String key, long fallback) {
    String v = cmd.get(key);
    return v == null || v.isEmpty() ? fallback : number(cmd, key, v);
  }

  public static boolean bool(RemotingCommand cmd, String key, boolean fallback) {
    String v = cmd.get(key);
    return v == null ? fallback : Boolean.parseBoolean(v.trim());
  }

  private static long number(RemotingCommand cmd, String key, String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new BadRequestException("the header field " + key + " is not a number: " + v);
    }
  }
}
