package io.wharfmq.store.tool;

/**
 * The tool cannot do what was asked (not a data directory, store running, unknown queue); the
 * message tells the operator what to do. Exit code {@link StoreTool#USAGE}.
 */
final class ToolFailure extends Exception {
  private static final long serialVersionUID = 1L;

  ToolFailure(String message) {
    super(message);
  }
}
