package io.wharfmq.jms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.jms.jndi.WharfObjectFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.concurrent.TimeUnit;
import javax.naming.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WharfConnectionFactoryTest {
  private static final String URL = "wharf://a:9876;b:9877?prefetch=7&user=u&password=p%26w";

  @Test
  void theNoArgFactoryPointsAtTheLocalNameServer() {
    WharfConnectionFactory f = new WharfConnectionFactory();
    assertThat(f.getBrokerURL()).isEqualTo("wharf://127.0.0.1:9876");
    assertThat(f.getConfig()).isEqualTo(WharfConnectionConfig.of("127.0.0.1:9876"));
  }

  @Test
  void beanPropertiesWinOverTheUrlWhateverTheOrder() {
    WharfConnectionFactory f = new WharfConnectionFactory();
    f.setUser("bean");
    f.setClientID("cid");
    f.setBrokerURL(URL); // after the bean properties, as Spring XML may set it
    assertThat(f.getUser()).isEqualTo("bean");
    assertThat(f.getPassword()).as("the URL's").isEqualTo("p&w");
    assertThat(f.getClientID()).isEqualTo("cid");
    assertThat(f.getConfig().user()).isEqualTo("bean");
    assertThat(f.getConfig().clientId()).isEqualTo("cid");
    assertThat(f.getConfig().prefetch()).isEqualTo(7);
    f.setUser(null);
    assertThat(f.getUser()).as("null gives the URL's back").isEqualTo("u");
    assertThatThrownBy(() -> f.setBrokerURL("wharf://c:1?bogus=1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bogus");
    assertThat(f.getBrokerURL()).as("unchanged by the refused URL").isEqualTo(URL);
  }

  @Test
  void aBadSessionModeIsRefusedBeforeAnyConnecting() {
    assertThatThrownBy(() -> new WharfConnectionFactory().createContext(42))
        .isInstanceOf(JMSRuntimeException.class)
        .hasMessageContaining("session mode 42");
    assertThat(JMSContext.SESSION_TRANSACTED).isZero();
  }

  @Test
  void factoryAndDestinationsSurviveSerialization() throws Exception {
    WharfConnectionFactory f = new WharfConnectionFactory(URL);
    f.setClientID("cid");
    WharfConnectionFactory copy = roundTrip(f);
    assertThat(copy.getConfig()).isEqualTo(f.getConfig());
    assertThat(copy.getBrokerURL()).isEqualTo(URL);
    for (WharfDestination d :
        new WharfDestination[] {
          new WharfQueue("orders"),
          new WharfTopic("prices"),
          new WharfTemporaryQueue("tq"),
          new WharfTemporaryTopic("tt")
        }) {
      WharfDestination back = roundTrip(d);
      assertThat(back).isEqualTo(d).hasSameClassAs(d);
      assertThat(back.name()).isEqualTo(d.name());
    }
  }

  @Test
  void referencesGiveBackEqualFactoriesAndDestinations() throws Exception {
    WharfConnectionFactory f = new WharfConnectionFactory(URL);
    f.setUser("bean");
    f.setClientID("cid");
    Reference ref = f.getReference();
    assertThat(ref.getFactoryClassName()).isEqualTo(WharfObjectFactory.class.getName());
    assertThat(ref.get("brokerURL").getContent()).isEqualTo(URL);
    WharfObjectFactory objects = new WharfObjectFactory();
    Object back = objects.getObjectInstance(ref, null, null, null);
    assertThat(back).isInstanceOf(WharfConnectionFactory.class);
    assertThat(((WharfConnectionFactory) back).getConfig()).isEqualTo(f.getConfig());

    for (WharfDestination d :
        new WharfDestination[] {
          new WharfQueue("orders"),
          new WharfTopic("prices"),
          new WharfTemporaryQueue("tq"),
          new WharfTemporaryTopic("tt")
        }) {
      assertThat(objects.getObjectInstance(d.getReference(), null, null, null))
          .isEqualTo(d)
          .hasSameClassAs(d);
    }
    assertThat(objects.getObjectInstance("not a reference", null, null, null)).isNull();
    assertThat(objects.getObjectInstance(new Reference("other.Thing"), null, null, null)).isNull();
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T object) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(object);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }
}
