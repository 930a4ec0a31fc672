package io.wharfmq.jms;

import static io.wharfmq.jms.WharfJMSContext.call;
import static io.wharfmq.jms.WharfJMSContext.run;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSConsumer;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageFormatRuntimeException;
import jakarta.jms.MessageListener;
import jakarta.jms.ObjectMessage;
import jakarta.jms.TextMessage;

/**
 * A {@link JMSConsumer} over a classic {@link MessageConsumer} of its context's session. Every
 * message it hands out is remembered by the context for {@link WharfJMSContext#acknowledge}.
 *
 * <p>Used by the context's thread, as its session is; {@link #close} may come from any thread.
 */
final class WharfJMSConsumer implements JMSConsumer {
  private final WharfJMSContext context;
  private final MessageConsumer consumer;
  private volatile MessageListener listener;

  WharfJMSConsumer(WharfJMSContext context, MessageConsumer consumer) {
    this.context = context;
    this.consumer = consumer;
  }

  @Override
  public String getMessageSelector() {
    return call(consumer::getMessageSelector);
  }

  @Override
  public MessageListener getMessageListener() {
    call(consumer::getMessageListener); // IllegalStateRuntimeException once closed
    return listener;
  }

  @Override
  public void setMessageListener(MessageListener listener) {
    MessageListener delivering =
        listener == null
            ? null
            : message -> {
              context.delivered(message);
              listener.onMessage(message);
            };
    run(() -> consumer.setMessageListener(delivering));
    this.listener = listener;
  }

  @Override
  public Message receive() {
    return delivered(call(consumer::receive));
  }

  @Override
  public Message receive(long timeout) {
    return delivered(call(() -> consumer.receive(timeout)));
  }

  @Override
  public Message receiveNoWait() {
    return delivered(call(consumer::receiveNoWait));
  }

  @Override
  public void close() {
    run(() -> consumer.close());
  }

  /**
   * The next message's body. A message whose body cannot be given as {@code c} is still consumed
   * (in AUTO_ACKNOWLEDGE and DUPS_OK_ACKNOWLEDGE mode it is not redelivered, unlike what JMS 2.0
   * asks of providers with their own consumers: the classic API has acknowledged it already).
   */
  @Override
  public <T> T receiveBody(Class<T> c) {
    return body(receive(), c);
  }

  @Override
  public <T> T receiveBody(Class<T> c, long timeout) {
    return body(receive(timeout), c);
  }

  @Override
  public <T> T receiveBodyNoWait(Class<T> c) {
    return body(receiveNoWait(), c);
  }

  private Message delivered(Message message) {
    context.delivered(message);
    return message;
  }

  private static <T> T body(Message message, Class<T> c) {
    if (message == null) {
      return null;
    }
    boolean bodyKind =
        message instanceof TextMessage
            || message instanceof BytesMessage
            || message instanceof MapMessage
            || message instanceof ObjectMessage;
    // JMS 2.0: receiveBody is for any message but a StreamMessage or a bodiless Message
    if (!bodyKind || !call(() -> message.isBodyAssignableTo(c))) {
      throw new MessageFormatRuntimeException(
          "the body of " + message.getClass().getSimpleName() + " cannot be given as " + c);
    }
    return call(() -> message.getBody(c));
  }
}
