package io.wharfmq.amqp.transport;

import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;

/**
 * The code behind one attached link, kept as the link's context. The transport calls it on the
 * connection's thread only.
 */
public interface LinkEndpoint {
  /** The peer changed credit or drain (sender links), or the link's flow state moved. */
  default void onFlow(Link link) {}

  /** A delivery arrived (receiver links) or a delivery's remote state or settlement changed. */
  default void onDelivery(Delivery delivery) {}

  /**
   * The peer detached ({@code closed} false) or closed ({@code closed} true) the link. The endpoint
   * answers with its own detach or close.
   */
  void onRemoteDetach(Link link, boolean closed);

  /**
   * The connection or session ended without a detach: release whatever the link holds (unsettled
   * deliveries go back to their queue).
   */
  void onTransportGone();

  /**
   * The transport refused an incoming delivery before the endpoint saw all of it (larger than
   * amqpMaxMessageSize, or sent without credit); the link is detached right after.
   */
  default void onRefused(Delivery delivery) {}

  /**
   * Answers the peer's detach ({@code closed} false) or close in kind, and frees the link: a later
   * attach with the same name (a durable subscriber coming back) then gets a new link, where
   * proton-j would hand back the detached one. The frame still goes out.
   */
  static void answerDetach(Link link, boolean closed) {
    if (closed) {
      link.close();
    } else {
      link.detach();
    }
    link.free();
  }
}
