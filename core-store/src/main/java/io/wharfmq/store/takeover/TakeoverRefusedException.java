package io.wharfmq.store.takeover;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Wharf will not start on an Apache RocketMQ store directory: the reasons say what it cannot read
 * and what the operator can do. Nothing in the directory was changed.
 */
public final class TakeoverRefusedException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient List<String> reasons;

  public TakeoverRefusedException(Path root, List<String> reasons) {
    super(
        "Cannot take over the Apache RocketMQ store in "
            + root
            + " (nothing in it was changed): "
            + String.join("; ", reasons));
    this.reasons = List.copyOf(reasons);
  }

  public List<String> reasons() {
    return reasons;
  }
}
