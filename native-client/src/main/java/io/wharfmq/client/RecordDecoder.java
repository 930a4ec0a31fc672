package io.wharfmq.client;

import io.wharfmq.remoting.protocol.MessageIds;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageSysFlag;
import io.wharfmq.store.format.RecordSequence;
import io.wharfmq.store.format.StoredMessage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a pull response body (stored records back to back, docs/formats.md) into {@link
 * MessageView}s: {@link RecordSequence} decodes the records (stopping at the first malformed one,
 * as the RocketMQ client does), this class maps them and inflates compressed bodies. Stateless.
 */
final class RecordDecoder {
  private static final Logger log = LoggerFactory.getLogger(RecordDecoder.class);
  private static final int COMPRESSION_TYPE_MASK = 0x700;
  private static final int ZLIB = 0x300;

  private RecordDecoder() {}

  static List<MessageView> decode(byte[] body, String brokerName) {
    RecordSequence.Decoded decoded = RecordSequence.decode(body);
    if (decoded.malformed() != null) {
      log.warn("Malformed pull body from {}: {}", brokerName, decoded.malformed());
    }
    List<MessageView> out = new ArrayList<>(decoded.records().size());
    for (StoredMessage m : decoded.records()) {
      out.add(view(m, brokerName));
    }
    return out;
  }

  static MessageView view(StoredMessage m, String brokerName) {
    Map<String, String> props = m.propertyMap();
    String offsetId = MessageIds.offsetMessageId(m.storeHost(), m.physicalOffset());
    String uniq = props.get(MessageProperties.UNIQ_KEY);
    String keys = props.get(MessageProperties.KEYS);
    return new MessageView(
        uniq != null ? uniq : offsetId,
        offsetId,
        new MessageQueue(m.topic(), brokerName, m.queueId()),
        m.queueOffset(),
        props.get(MessageProperties.TAGS),
        keys == null || keys.isBlank() ? List.of() : List.of(keys.trim().split(" +")),
        Map.copyOf(props),
        body(m),
        m.reconsumeTimes(),
        m.bornTimestamp(),
        m.storeTimestamp());
  }

  private static byte[] body(StoredMessage m) {
    if ((m.sysFlag() & MessageSysFlag.COMPRESSED) == 0) {
      return m.body();
    }
    int type = m.sysFlag() & COMPRESSION_TYPE_MASK;
    if (type != 0 && type != ZLIB) {
      log.warn(
          "Message at {} uses compression 0x{}, which this client cannot inflate; body left as is",
          m.physicalOffset(),
          Integer.toHexString(type));
      return m.body();
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(m.body());
      ByteArrayOutputStream out = new ByteArrayOutputStream(m.body().length * 4);
      byte[] chunk = new byte[8192];
      while (!inflater.finished()) {
        int n = inflater.inflate(chunk);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      log.warn("Cannot inflate message at {}: {}", m.physicalOffset(), e.toString());
      return Arrays.copyOf(m.body(), m.body().length);
    } finally {
      inflater.end();
    }
  }
}
