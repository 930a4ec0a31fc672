package io.wharfmq.security;

/**
 * What the doors hold: whether access control is on and the current snapshot of users and
 * permissions (a new snapshot after every change; callers read it once per decision). The broker's
 * permission store implements it. Thread-safe.
 */
public interface AccessControl {
  /** Whether every request must come from a known user with a permission for it. */
  boolean enabled();

  /** The users and permissions in force now. */
  AccessRegistry registry();

  /** Access control off: every door serves everyone as before. */
  static AccessControl off() {
    return Off.INSTANCE;
  }

  /** The implementation of {@link #off()}. */
  final class Off implements AccessControl {
    static final Off INSTANCE = new Off();
    private static final AccessRegistry EMPTY =
        AccessRegistry.empty(new SecretSealer(new byte[SecretSealer.KEY_BYTES], null));

    private Off() {}

    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public AccessRegistry registry() {
      return EMPTY;
    }
  }
}
