package io.wharfmq.remoting.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class TransportsTest {
  @Test
  void linuxServersAndClientsUseTheNativeEpollTransport() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    assumeTrue(
        os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64")),
        "epoll native library is packaged for Linux x86_64 and aarch64 only");
    // The native library is on the class path (a runtime dependency) and loads here.
    assertThat(Epoll.unavailabilityCause()).isNull();
    assertThat(Transports.EPOLL).isTrue();
    assertThat(Transports.name()).isEqualTo("epoll");
  }
}
