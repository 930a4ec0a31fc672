package io.wharfmq.broker.pop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RequestModeTableTest {
  @TempDir Path dir;

  @Test
  void readsApacheRocketMqsShapeAndWritesWharfs() throws Exception {
    // As Apache RocketMQ 5's MessageRequestModeManager persists it (fastjson).
    Files.writeString(
        dir.resolve("messageRequestMode.json"),
        "{\"messageRequestModeMap\":{\"Orders\":{\"g1\":{\"consumerGroup\":\"g1\",\"mode\":\"POP\","
            + "\"popShareQueueNum\":0,\"topic\":\"Orders\"},\"g2\":{\"consumerGroup\":\"g2\","
            + "\"mode\":\"PULL\",\"popShareQueueNum\":0,\"topic\":\"Orders\"}}}}");
    RequestModeTable table = new RequestModeTable(dir);
    table.load();
    assertThat(table.mode("Orders", "g1")).isEqualTo(RequestModeTable.POP);
    assertThat(table.mode("Orders", "g2")).isEqualTo(RequestModeTable.PULL);
    assertThat(table.mode("Orders", "g3")).isEqualTo(RequestModeTable.PULL);

    table.set("Orders", "g3", "pop");
    RequestModeTable reloaded = new RequestModeTable(dir);
    reloaded.load();
    assertThat(reloaded.mode("Orders", "g1")).isEqualTo(RequestModeTable.POP);
    assertThat(reloaded.mode("Orders", "g3")).isEqualTo(RequestModeTable.POP);
  }
}
