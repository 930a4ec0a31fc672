package io.wharfmq.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.TextMessage;

/** A JMS TextMessage (x-opt-jms-msg-type 5). Not thread-safe: one session's thread. */
public class WharfTextMessage extends WharfMessage implements TextMessage {
  private String text;

  public WharfTextMessage() {}

  public WharfTextMessage(String text) {
    this.text = text;
  }

  @Override
  int jmsMessageType() {
    return 5;
  }

  @Override
  public void setText(String text) throws JMSException {
    checkBodyWritable();
    this.text = text;
  }

  @Override
  public String getText() {
    return text;
  }

  @Override
  public void clearBody() throws JMSException {
    super.clearBody();
    text = null;
  }

  @Override
  boolean hasBody() {
    return text != null;
  }

  @Override
  Object body() {
    return text;
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public boolean isBodyAssignableTo(Class c) {
    return text == null || c.isAssignableFrom(String.class);
  }
}
