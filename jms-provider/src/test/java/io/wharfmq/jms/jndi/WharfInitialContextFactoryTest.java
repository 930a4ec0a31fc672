package io.wharfmq.jms.jndi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.jms.WharfConnectionFactory;
import io.wharfmq.jms.WharfQueue;
import io.wharfmq.jms.WharfTopic;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Queue;
import jakarta.jms.Topic;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.naming.Binding;
import javax.naming.CompositeName;
import javax.naming.ConfigurationException;
import javax.naming.Context;
import javax.naming.InitialContext;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.OperationNotSupportedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WharfInitialContextFactoryTest {

  private static Hashtable<String, String> env(String... keyValues) {
    Hashtable<String, String> env = new Hashtable<>();
    env.put(Context.INITIAL_CONTEXT_FACTORY, WharfInitialContextFactory.class.getName());
    for (int i = 0; i < keyValues.length; i += 2) {
      env.put(keyValues[i], keyValues[i + 1]);
    }
    return env;
  }

  private static WharfConnectionFactory factory(Context ctx, String name) throws NamingException {
    return (WharfConnectionFactory) ctx.lookup(name);
  }

  @Test
  void theEnvironmentBindsFactoriesQueuesAndTopics() throws Exception {
    Context ctx =
        new InitialContext(
            env(
                Context.PROVIDER_URL,
                "wharf://p:1?clientId=app",
                "connectionfactory.other",
                "wharf://o:2;o2:3?prefetch=9",
                "queue.jms/orders",
                "ORDERS",
                "topic.prices",
                "PRICES"));
    try {
      for (String name :
          List.of("ConnectionFactory", "QueueConnectionFactory", "TopicConnectionFactory")) {
        assertThat(factory(ctx, name).getConfig().namesrvAddr()).isEqualTo("p:1");
        assertThat(factory(ctx, name).getClientID()).isEqualTo("app");
      }
      assertThat(factory(ctx, "other").getConfig().namesrvAddr()).isEqualTo("o:2;o2:3");
      assertThat(factory(ctx, "other").getConfig().prefetch()).isEqualTo(9);
      assertThat(ctx.lookup("jms/orders")).isEqualTo(new WharfQueue("ORDERS"));
      assertThat(ctx.lookup(new CompositeName("jms/orders"))).isEqualTo(new WharfQueue("ORDERS"));
      assertThat(ctx.lookup("prices")).isEqualTo(new WharfTopic("PRICES"));

      List<String> names = new ArrayList<>();
      NamingEnumeration<Binding> bindings = ctx.listBindings("");
      while (bindings.hasMore()) {
        names.add(bindings.next().getName());
      }
      assertThat(names)
          .containsExactlyInAnyOrder(
              "ConnectionFactory",
              "QueueConnectionFactory",
              "TopicConnectionFactory",
              "other",
              "jms/orders",
              "prices");
      assertThat(ctx.list("").hasMore()).isTrue();
    } finally {
      ctx.close();
    }
  }

  @Test
  void withoutAnyFactoryEntryTheDefaultUrlIsBound() throws Exception {
    Context ctx = new InitialContext(env("queue.q", "Q"));
    assertThat(factory(ctx, "ConnectionFactory").getBrokerURL())
        .isEqualTo(WharfConnectionFactory.DEFAULT_URL);
    assertThat(ctx.lookup("QueueConnectionFactory")).isInstanceOf(ConnectionFactory.class);
  }

  @Test
  void onlyTheNamedFactoriesWhenThereIsNoProviderUrl() throws Exception {
    Context ctx = new InitialContext(env("connectionfactory.mine", "wharf://m:1"));
    assertThat(factory(ctx, "mine").getConfig().namesrvAddr()).isEqualTo("m:1");
    assertThatThrownBy(() -> ctx.lookup("ConnectionFactory"))
        .isInstanceOf(NameNotFoundException.class)
        .hasMessageContaining("mine");
  }

  @Test
  void dynamicQueuesAndTopicsAreMadeOnLookup() throws Exception {
    Context ctx = new InitialContext(env());
    assertThat((Queue) ctx.lookup("dynamicQueues/a.b")).isEqualTo(new WharfQueue("a.b"));
    assertThat((Topic) ctx.lookup("dynamicTopics/t/1")).isEqualTo(new WharfTopic("t/1"));
    assertThat(ctx.lookup(new CompositeName("dynamicQueues/x"))).isEqualTo(new WharfQueue("x"));
    assertThatThrownBy(() -> ctx.lookup("dynamicQueues/"))
        .isInstanceOf(NameNotFoundException.class);
  }

  @Test
  void theContextIsReadOnly() throws Exception {
    Context ctx = new InitialContext(env());
    assertThatThrownBy(() -> ctx.bind("x", new WharfQueue("x")))
        .isInstanceOf(OperationNotSupportedException.class);
    assertThatThrownBy(() -> ctx.rebind("ConnectionFactory", "x"))
        .isInstanceOf(OperationNotSupportedException.class);
    assertThatThrownBy(() -> ctx.unbind("ConnectionFactory"))
        .isInstanceOf(OperationNotSupportedException.class);
    assertThatThrownBy(() -> ctx.createSubcontext("sub"))
        .isInstanceOf(OperationNotSupportedException.class);
  }

  @Test
  void aBadUrlFailsTheContextNamingTheEntry() {
    assertThatThrownBy(() -> new InitialContext(env("connectionfactory.bad", "wharf://h:1?x=1")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("connectionfactory.bad")
        .hasMessageContaining("unknown option 'x'");
    assertThatThrownBy(() -> new InitialContext(env("queue.empty", " ")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'queue.empty' needs a destination name");
  }

  @Test
  void aProviderUrlThatIsNotAWharfUrlNamesAPropertiesFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("jms.properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "connectionfactory.fromFile = wharf://file:1",
            "queue.orders = FILE.ORDERS",
            "topic.news = FILE.NEWS"));
    for (String location : List.of(file.toString(), file.toUri().toString())) {
      Context ctx =
          new InitialContext(env(Context.PROVIDER_URL, location, "queue.orders", "ENV.ORDERS"));
      assertThat(factory(ctx, "fromFile").getConfig().namesrvAddr()).isEqualTo("file:1");
      assertThat(ctx.lookup("orders"))
          .as("the environment wins")
          .isEqualTo(new WharfQueue("ENV.ORDERS"));
      assertThat(ctx.lookup("news")).isEqualTo(new WharfTopic("FILE.NEWS"));
      assertThatThrownBy(() -> ctx.lookup("ConnectionFactory"))
          .as("the file names its factories")
          .isInstanceOf(NameNotFoundException.class);
    }
    assertThatThrownBy(
            () -> new InitialContext(env(Context.PROVIDER_URL, dir.resolve("absent").toString())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("neither a wharf:// URL nor a readable properties file");
  }

  /**
   * {@code new InitialContext()} reads jndi.properties through the context class loader; the test's
   * file sits in a directory of its own so that it configures no other test.
   */
  @Test
  void aJndiPropertiesResourceConfiguresTheNoArgInitialContext() throws Exception {
    URL dir = getClass().getResource("app/");
    assertThat(dir).as("the test's jndi.properties directory").isNotNull();
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir}, before)) {
      thread.setContextClassLoader(loader);
      Context ctx = new InitialContext();
      assertThat(factory(ctx, "ConnectionFactory").getConfig().namesrvAddr())
          .isEqualTo("props:9876;props2:9876");
      assertThat(factory(ctx, "ConnectionFactory").getConfig().maxDeliveries()).isEqualTo(4);
      assertThat(factory(ctx, "backup").getConfig().namesrvAddr()).isEqualTo("backup:9876");
      assertThat(ctx.lookup("orders")).isEqualTo(new WharfQueue("app.orders"));
      assertThat(ctx.lookup("events")).isEqualTo(new WharfTopic("app.events"));
      assertThat(ctx.lookup("dynamicQueues/adhoc")).isEqualTo(new WharfQueue("adhoc"));
    } finally {
      thread.setContextClassLoader(before);
    }
  }
}
