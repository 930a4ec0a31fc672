package io.wharfmq.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The permission file's JSON (docs/security.md): {@code {"version":1,"users":[{"name", "super",
 * "enabled", "scram":{"iterations","salt","storedKey","serverKey"}, "secret", "policies":[{
 * "resource","actions","decision","sources"}]}]}}. Reading checks everything and names the first
 * bad place ("users[2].policies[0].resource: ..."), so a damaged file stops the start instead of
 * opening anything. Stateless.
 */
public final class AccessFile {
  public static final int VERSION = 1;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private AccessFile() {}

  /** The users in {@code content}; IllegalArgumentException says what and where is wrong. */
  public static List<UserRecord> read(byte[] content) {
    JsonNode root;
    try {
      root = JSON.readTree(content);
    } catch (JsonProcessingException e) {
      // Never echo the content: it holds hashes.
      throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + ")");
    } catch (IOException e) {
      throw new IllegalArgumentException("not readable (" + e + ")");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("the file must hold one JSON object");
    }
    int version = root.path("version").asInt(-1);
    if (version != VERSION) {
      throw new IllegalArgumentException(
          "version " + root.path("version") + " is not " + VERSION + " (a newer Wharf wrote it?)");
    }
    JsonNode users = root.path("users");
    if (!users.isArray()) {
      throw new IllegalArgumentException("'users' must be an array");
    }
    List<UserRecord> out = new ArrayList<>();
    for (int i = 0; i < users.size(); i++) {
      String where = "users[" + i + "]";
      try {
        out.add(user(users.get(i)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + e.getMessage());
      }
    }
    return out;
  }

  private static UserRecord user(JsonNode u) {
    String name = text(u, "name");
    try {
      UserRecord.checkName(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(".name: " + e.getMessage());
    }
    JsonNode s = u.path("scram");
    if (!s.isObject()) {
      throw new IllegalArgumentException(" (" + name + ").scram: missing");
    }
    ScramCredentials scram;
    try {
      scram =
          new ScramCredentials(
              s.path("iterations").asInt(0),
              bytes(s, "salt"),
              bytes(s, "storedKey"),
              bytes(s, "serverKey"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(" (" + name + ").scram: " + e.getMessage());
    }
    JsonNode secret = u.path("secret");
    if (!secret.isMissingNode() && !secret.isNull() && !secret.isTextual()) {
      throw new IllegalArgumentException(" (" + name + ").secret: must be a string");
    }
    JsonNode ps = u.path("policies");
    if (!ps.isMissingNode() && !ps.isArray()) {
      throw new IllegalArgumentException(" (" + name + ").policies: must be an array");
    }
    List<Policy> policies = new ArrayList<>();
    for (int j = 0; j < ps.size(); j++) {
      JsonNode p = ps.get(j);
      try {
        List<String> sources = new ArrayList<>();
        p.path("sources").forEach(n -> sources.add(n.asText()));
        List<String> actions = new ArrayList<>();
        p.path("actions").forEach(n -> actions.add(n.asText()));
        policies.add(
            Policy.parse(
                text(p, "resource"), String.join(",", actions), text(p, "decision"), sources));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            " (" + name + ").policies[" + j + "]: " + e.getMessage());
      }
    }
    return new UserRecord(
        name,
        bool(u, "super", false),
        bool(u, "enabled", true),
        scram,
        secret.isTextual() ? secret.asText() : null,
        policies);
  }

  /** The file content for {@code users}. */
  public static byte[] write(List<UserRecord> users) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    ArrayNode arr = root.putArray("users");
    Base64.Encoder b64 = Base64.getEncoder();
    for (UserRecord u : users) {
      ObjectNode n = arr.addObject();
      n.put("name", u.name());
      n.put("super", u.superUser());
      n.put("enabled", u.enabled());
      ObjectNode s = n.putObject("scram");
      s.put("iterations", u.scram().iterations());
      s.put("salt", b64.encodeToString(u.scram().salt()));
      s.put("storedKey", b64.encodeToString(u.scram().storedKey()));
      s.put("serverKey", b64.encodeToString(u.scram().serverKey()));
      if (u.sealedSecret() != null) {
        n.put("secret", u.sealedSecret());
      }
      ArrayNode ps = n.putArray("policies");
      for (Policy p : u.policies()) {
        ObjectNode pn = ps.addObject();
        pn.put("resource", p.resource().toString());
        ArrayNode an = pn.putArray("actions");
        p.actions().stream().sorted().forEach(a -> an.add(a.display()));
        pn.put("decision", p.decision().display());
        ArrayNode sn = pn.putArray("sources");
        p.sources().forEach(r -> sn.add(r.text()));
      }
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    if (!v.isTextual()) {
      throw new IllegalArgumentException("." + field + ": missing or not a string");
    }
    return v.asText();
  }

  private static boolean bool(JsonNode n, String field, boolean dflt) {
    JsonNode v = n.path(field);
    if (v.isMissingNode()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException("." + field + ": must be true or false");
    }
    return v.asBoolean();
  }

  private static byte[] bytes(JsonNode n, String field) {
    try {
      return Base64.getDecoder().decode(text(n, field));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + " is missing or not base64");
    }
  }
}
