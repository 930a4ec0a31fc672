package io.wharfmq.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration keys of a command for its {@code --help}: read from the configuration objects
 * themselves, never from a hand-kept list. A key is a setter ({@code Type key(value)} returning the
 * object, which is what {@code --set} binds), its default is what a fresh object's getter returns,
 * and its meaning is the doc comment on the field of that name in the class's source, which the
 * build copies next to the launcher's classes ({@code config-docs/<SimpleName>.java}, see
 * launcher/pom.xml). Stateless.
 */
final class KeyHelp {
  private KeyHelp() {}

  /** One documented key. */
  record Key(String name, String defaultValue, String meaning) {}

  // A doc comment, then a field declaration: "private [final] [volatile] Type name [= ...];".
  private static final Pattern FIELD =
      Pattern.compile(
          "/\\*\\*((?:[^*]|\\*(?!/))*)\\*/\\s*private\\s+(?:static\\s+)?(?:final\\s+)?"
              + "(?:volatile\\s+)?[\\w.<>, ]+?\\s+(\\w+)\\s*[=;]");

  // Or a doc comment on a one-argument public method (a setter without a field of its name).
  private static final Pattern SETTER =
      Pattern.compile(
          "/\\*\\*((?:[^*]|\\*(?!/))*)\\*/\\s*public\\s+\\w+\\s+(\\w+)\\s*\\([^,)]+\\)");

  /** Keys of {@code config} (a fresh object, so its getters give the defaults), by name. */
  static Map<String, Key> keys(Object config) {
    Map<String, String> docs = docs(config.getClass());
    Map<String, Key> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Method m : config.getClass().getMethods()) {
      if (m.getParameterCount() != 1 || m.getReturnType() != config.getClass()) {
        continue;
      }
      String name = m.getName();
      out.put(name, new Key(name, defaultOf(config, name), docs.getOrDefault(name, "")));
    }
    return out;
  }

  private static String defaultOf(Object config, String name) {
    try {
      Object v = config.getClass().getMethod(name).invoke(config);
      return v == null ? "" : v.toString();
    } catch (ReflectiveOperationException e) {
      return "?";
    }
  }

  /** Field name to its doc comment's text, one line, "key:" prefix dropped. */
  static Map<String, String> docs(Class<?> type) {
    String source;
    try (InputStream in =
        KeyHelp.class.getResourceAsStream("/config-docs/" + type.getSimpleName() + ".java")) {
      if (in == null) {
        return Map.of();
      }
      source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    collect(SETTER.matcher(source), out);
    collect(FIELD.matcher(source), out);
    return out;
  }

  /** Adds each match's doc text under its name; a later pattern's match wins. */
  private static void collect(Matcher m, Map<String, String> out) {
    while (m.find()) {
      String text = m.group(1).replaceAll("(?m)^\\s*\\*\\s?", " ").replaceAll("\\s+", " ").trim();
      text = text.replaceAll("\\{@(?:link|code) ([^}]*)}", "$1");
      String field = m.group(2);
      if (text.startsWith(field + ":")) {
        text = text.substring(field.length() + 1).trim();
      }
      if (!text.isEmpty()) {
        text = Character.toUpperCase(text.charAt(0)) + text.substring(1);
      }
      out.put(field, text);
    }
  }

  /** {@code text} as a picocli usage-section string: '%' escaped, lines ended by %n. */
  static String forPicocli(String text) {
    return text.replace("%", "%%").replace("\n", "%n");
  }

  /** The help text: one entry per key, "key=default" then its meaning wrapped and indented. */
  static String render(String title, Iterable<Key> keys) {
    StringBuilder b = new StringBuilder(title).append('\n');
    for (Key k : keys) {
      b.append("  ").append(k.name()).append('=').append(k.defaultValue()).append('\n');
      if (!k.meaning().isEmpty()) {
        wrap(b, k.meaning(), "      ", 78);
      }
    }
    return b.toString();
  }

  private static void wrap(StringBuilder b, String text, String indent, int width) {
    StringBuilder line = new StringBuilder(indent);
    for (String word : text.split(" ")) {
      if (line.length() > indent.length() && line.length() + 1 + word.length() > width) {
        b.append(line).append('\n');
        line = new StringBuilder(indent);
      }
      if (line.length() > indent.length()) {
        line.append(' ');
      }
      line.append(word);
    }
    b.append(line).append('\n');
  }
}
