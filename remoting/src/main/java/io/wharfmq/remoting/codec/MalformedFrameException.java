package io.wharfmq.remoting.codec;

/** A frame that cannot be decoded; the connection it came from is closed. */
public final class MalformedFrameException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedFrameException(String message) {
    super(message);
  }

  public MalformedFrameException(String message, Throwable cause) {
    super(message, cause);
  }
}
