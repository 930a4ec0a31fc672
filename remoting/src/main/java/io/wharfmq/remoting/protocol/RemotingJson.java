package io.wharfmq.remoting.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * JSON for remoting bodies (routes, heartbeats, registrations): standard JSON out, and on input as
 * tolerant as the RocketMQ client's fastjson (unknown keys ignored, unquoted field names and single
 * quotes accepted, missing values default). Thread-safe.
 */
public final class RemotingJson {
  private RemotingJson() {}

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false)
          .configure(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY, true)
          .configure(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS, true)
          .configure(JsonParser.Feature.ALLOW_UNQUOTED_FIELD_NAMES, true)
          .configure(JsonParser.Feature.ALLOW_SINGLE_QUOTES, true)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  public static byte[] encode(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  /** Decodes a body; throws IllegalArgumentException (a client error) when it is not valid JSON. */
  public static <T> T decode(byte[] body, Class<T> type) {
    if (body == null || body.length == 0) {
      throw new IllegalArgumentException("missing " + type.getSimpleName() + " body");
    }
    try {
      return MAPPER.readValue(body, type);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "bad " + type.getSimpleName() + " body: " + e.getMessage(), e);
    }
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
