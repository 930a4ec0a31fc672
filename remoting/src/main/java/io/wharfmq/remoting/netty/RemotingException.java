package io.wharfmq.remoting.netty;

/** A remote call failed: could not connect, could not send, timed out, or the channel closed. */
public final class RemotingException extends Exception {
  private static final long serialVersionUID = 1L;

  public RemotingException(String message) {
    super(message);
  }

  public RemotingException(String message, Throwable cause) {
    super(message, cause);
  }
}
