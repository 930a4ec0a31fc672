package io.wharfmq.security;

/** The answer to "may this user do this": allowed or not, and why, for logs and error texts. */
public record Verdict(boolean allowed, String reason) {
  public static Verdict allow(String reason) {
    return new Verdict(true, reason);
  }

  public static Verdict deny(String reason) {
    return new Verdict(false, reason);
  }
}
