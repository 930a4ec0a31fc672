package io.wharfmq.jms;

import io.wharfmq.client.ClientException;
import io.wharfmq.client.MessageView;
import io.wharfmq.client.QueueBrowse;
import io.wharfmq.jms.message.RecordMapping;
import io.wharfmq.jms.message.WharfMessage;
import io.wharfmq.service.DestinationNames;
import jakarta.jms.IllegalStateException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * A queue browser: the queue's messages as they are now, without taking them (the broker's peek
 * over the queue's group, docs/jms.md). Each {@link #getEnumeration} is a new look of at most
 * {@link #MAX_BROWSE} messages. Used by its session's thread.
 */
final class WharfQueueBrowser implements QueueBrowser {
  /** The most messages one enumeration shows. */
  static final int MAX_BROWSE = 10_000;

  private final WharfSession session;
  private final WharfQueue queue;
  private final String selector;
  private boolean closed;

  WharfQueueBrowser(WharfSession session, WharfQueue queue, String selector) {
    this.session = session;
    this.queue = queue;
    this.selector = selector == null || selector.isBlank() ? null : selector;
  }

  void markClosed() {
    closed = true;
  }

  private void checkOpen() throws IllegalStateException {
    if (closed) {
      throw new IllegalStateException("the browser is closed");
    }
    session.checkOpen();
  }

  @Override
  public Queue getQueue() throws JMSException {
    checkOpen();
    return queue;
  }

  @Override
  public String getMessageSelector() throws JMSException {
    checkOpen();
    return selector;
  }

  @Override
  public Enumeration<Message> getEnumeration() throws JMSException {
    checkOpen();
    String topic = WharfConnection.topicOf(queue);
    List<MessageView> views = new ArrayList<>();
    try {
      QueueBrowse walk =
          session.connection().admin().browse(DestinationNames.queueGroup(topic), topic, selector);
      while (walk.hasMore() && views.size() < MAX_BROWSE) {
        List<MessageView> page = walk.next(Math.min(32, MAX_BROWSE - views.size()));
        if (page.isEmpty() && !walk.hasMore()) {
          break;
        }
        views.addAll(page);
      }
    } catch (ClientException e) {
      throw JmsExceptions.of("cannot browse " + queue, e);
    }
    long now = session.connection().clock().millis();
    List<Message> out = new ArrayList<>(views.size());
    for (MessageView v : views) {
      WharfMessage m =
          RecordMapping.fromRecord(v, queue, session.connection().config().trustedPackages());
      if (m.getJMSExpiration() > 0 && m.getJMSExpiration() <= now) {
        continue;
      }
      m.setReadOnly(true);
      out.add(m);
    }
    return Collections.enumeration(out);
  }

  @Override
  public void close() throws JMSException {
    closed = true;
    session.browserClosed(this);
  }
}
