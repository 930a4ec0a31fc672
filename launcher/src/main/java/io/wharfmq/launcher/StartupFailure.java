package io.wharfmq.launcher;

/**
 * A start that cannot go on for a reason the operator can fix: one line naming the key, port or
 * directory and the fix. Printed without a stack trace; the command exits with code 2.
 */
final class StartupFailure extends Exception {
  private static final long serialVersionUID = 1L;

  StartupFailure(String oneLine) {
    super(oneLine, null, false, false);
  }
}
