package io.wharfmq.jms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.tls.ClientTls;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WharfConnectionUrlTest {

  @Test
  void hostsAloneGiveTheDefaults() {
    WharfConnectionConfig c = WharfConnectionConfig.parse("wharf://10.0.0.1:9876");
    assertThat(c).isEqualTo(WharfConnectionConfig.of("10.0.0.1:9876"));
  }

  @Test
  void severalHostsBySemicolonOrComma() {
    assertThat(WharfConnectionConfig.parse("wharf://a:1;b:2,c:3").namesrvAddr())
        .isEqualTo("a:1;b:2;c:3");
    assertThat(WharfConnectionConfig.parse("wharf://[::1]:9876/").namesrvAddr())
        .isEqualTo("[::1]:9876");
  }

  @Test
  void everyOptionIsRead() {
    WharfConnectionConfig c =
        WharfConnectionConfig.parse(
            "wharf://h:9876?user=app&password=s%3Dc%26r+t%25&clientId=c%C3%A9&prefetch=5"
                + "&sendTimeout=1500&requestTimeout=2500&maxDeliveries=3&redeliveryDelay=0"
                + "&trustedPackages=com.acme,%20org.example");
    assertThat(c.user()).isEqualTo("app");
    assertThat(c.password()).as("percent-decoded, '+' kept").isEqualTo("s=c&r+t%");
    assertThat(c.clientId()).isEqualTo("cé");
    assertThat(c.prefetch()).isEqualTo(5);
    assertThat(c.sendTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(c.maxDeliveries()).isEqualTo(3);
    assertThat(c.redeliveryDelay()).isEqualTo(Duration.ZERO);
    assertThat(c.trustedPackages()).containsExactly("com.acme", "org.example");
    assertThat(c.toString()).doesNotContain("s=c").contains("password=***");
  }

  @Test
  void trustedPackagesStar() {
    assertThat(WharfConnectionConfig.parse("wharf://h:1?trustedPackages=*").trustedPackages())
        .isEqualTo(List.of("*"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "tcp://h:9876|starts with wharf://",
        "wharf://|HOST:PORT",
        "wharf://h|HOST:PORT",
        "wharf://h:0|from 1 to 65535",
        "wharf://h:99999|from 1 to 65535",
        "wharf://h:x|from 1 to 65535",
        "wharf://h:1;;k:2|HOST:PORT",
        "wharf://::1:9876|IPv6",
        "wharf://h:1?prefetch=0|'prefetch' must be at least 1",
        "wharf://h:1?prefetch=many|'prefetch' takes a whole number",
        "wharf://h:1?sendTimeout=-1|'sendTimeout' must be at least 1",
        "wharf://h:1?requestTimeout=9999999999|'requestTimeout' takes a whole number",
        "wharf://h:1?maxDeliveries=0|'maxDeliveries' must be at least 1",
        "wharf://h:1?redeliveryDelay=-5|'redeliveryDelay' must not be negative",
        "wharf://h:1?trustedPackages=a,,b|'trustedPackages' takes package names",
        "wharf://h:1?user|'user' needs a value",
        "wharf://h:1?user=a&user=b|'user' is given twice",
        "wharf://h:1?password=%zz|has a '%' that is not followed by two hex digits",
      })
  void badUrlsAreRefusedWithAReason(String url, String reason) {
    assertThatThrownBy(() -> WharfConnectionConfig.parse(url))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void anUnknownOptionIsNamedWithTheAcceptedOnes() {
    assertThatThrownBy(() -> WharfConnectionConfig.parse("wharf://h:1?password=secret&prefech=5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option 'prefech'")
        .hasMessageContaining(
            "user, password, clientId, prefetch, sendTimeout, requestTimeout, maxDeliveries,"
                + " redeliveryDelay, trustedPackages")
        .hasMessageNotContaining("secret");
  }

  @Test
  void wharfSslConnectsOverTlsWithItsOptions() {
    assertThat(WharfConnectionConfig.parse("wharf://h:1").tls()).isNull();
    WharfConnectionConfig c =
        WharfConnectionConfig.parse(
            "wharf+ssl://h:9876?tlsTrustCertPath=/etc/ca.pem&tlsCertPath=/c.pem&tlsKeyPath=/c.key"
                + "&tlsKeyPassword=secret&tlsVerifyHostname=false");
    assertThat(c.namesrvAddr()).isEqualTo("h:9876");
    assertThat(c.tls())
        .isEqualTo(
            ClientTls.Settings.defaults()
                .trustCertPath("/etc/ca.pem")
                .clientCertificate("/c.pem", "/c.key", "secret")
                .verifyHostname(false));
    assertThat(c.toString()).doesNotContain("secret");
    assertThat(WharfConnectionConfig.parse("WHARF+SSL://h:1").tls())
        .as("JDK default CAs, host names checked")
        .isEqualTo(ClientTls.Settings.defaults());
    assertThatThrownBy(() -> WharfConnectionConfig.parse("wharf://h:1?tlsTrustCertPath=/ca.pem"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("start the URL with wharf+ssl://");
  }
}
