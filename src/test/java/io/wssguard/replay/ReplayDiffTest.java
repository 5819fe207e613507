package io.wssguard.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wssguard.limit.CompiledPolicy;
import io.wssguard.policy.PolicyParser;
import io.wssguard.traffic.SyntheticRecording;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayDiffTest {
  @TempDir Path dir;
  private Path traffic;

  /** Five seconds of three sources at 5 messages/s and one at 150/s, on route {@code /}. */
  @BeforeEach
  void record() throws Exception {
    traffic = dir.resolve("traffic");
    new SyntheticRecording()
        .client("127.0.0.10", "/", 5, 20)
        .client("127.0.0.11", "/", 5, 20)
        .client("127.0.0.12", "/", 5, 20)
        .client("127.0.0.50", "/", 150, 20)
        .write(traffic, 5);
  }

  private CompiledPolicy policy(String name, String messages) throws Exception {
    Path file =
        Files.writeString(
            dir.resolve(name + ".yaml"),
            "policies:\n  " + name + ":\n    perConnection:\n      messages: " + messages + "\n");
    return new CompiledPolicy(PolicyParser.parseFiles(List.of(file)).policies().get(name));
  }

  private ReplayDiff diff(CompiledPolicy now, CompiledPolicy before) throws Exception {
    List<ReplayReport> r = PolicyReplay.run(traffic, List.of(now, before), null);
    return new ReplayDiff(r.get(0), r.get(1));
  }

  private CompiledPolicy tight() throws Exception {
    return policy("tight", "{rate: 3/s, burst: 3, action: close}");
  }

  private CompiledPolicy usual() throws Exception {
    return policy("usual", "{rate: 100/s, burst: 200, action: close}");
  }

  @Test
  void tighterPolicy_namesTheSourcesNewlyAffected() throws Exception {
    ReplayDiff d = diff(tight(), usual());
    assertEquals(
        """
        Replayed 4 handshakes (1650 records in 1 file):
          policy 'tight': 4 connections admitted, 4 sources affected
          against 'usual': 4 connections admitted, 1 source affected
        Newly affected: 3 sources
          + 127.0.0.10 / perConnection.messages close 1
          + 127.0.0.11 / perConnection.messages close 1
          + 127.0.0.12 / perConnection.messages close 1
        No longer affected: 0 sources
        Affected differently: 0 sources
        """,
        d.text());
    assertEquals(
        "{\"traffic\":{\"files\":1,\"records\":1650,\"truncatedFiles\":0},\"handshakes\":4,"
            + "\"policy\":{\"name\":\"tight\",\"connections\":4,\"sourcesAffected\":4},"
            + "\"against\":{\"name\":\"usual\",\"connections\":4,\"sourcesAffected\":1},"
            + "\"newlyAffected\":["
            + "{\"source\":\"127.0.0.10\",\"route\":\"/\",\"limit\":\"perConnection.messages\","
            + "\"action\":\"close\",\"count\":1},"
            + "{\"source\":\"127.0.0.11\",\"route\":\"/\",\"limit\":\"perConnection.messages\","
            + "\"action\":\"close\",\"count\":1},"
            + "{\"source\":\"127.0.0.12\",\"route\":\"/\",\"limit\":\"perConnection.messages\","
            + "\"action\":\"close\",\"count\":1}],"
            + "\"noLongerAffected\":[],\"changed\":[]}",
        d.json());
  }

  @Test
  void looserPolicy_namesTheSourcesNoLongerAffected() throws Exception {
    ReplayDiff d = diff(usual(), tight());
    assertEquals(List.of(), d.newlyAffected());
    assertEquals(
        List.of("127.0.0.10", "127.0.0.11", "127.0.0.12"),
        d.noLongerAffected().stream().map(ReplayReport.Affected::source).toList());
    assertEquals(List.of(), d.changed());
  }

  @Test
  void anotherAction_isAChange_withBeforeAndAfter() throws Exception {
    ReplayDiff d = diff(policy("drops", "{rate: 100/s, burst: 200, action: drop}"), usual());
    assertEquals(1, d.changed().size());
    ReplayDiff.Changed c = d.changed().get(0);
    assertEquals("127.0.0.50", c.source());
    assertEquals("close", c.before().get(0).action());
    assertEquals("drop", c.after().get(0).action());
    assertEquals(
        List.of(), d.newlyAffected(), "the calm sources stay unaffected under both policies");
    // Printed as a diff: the old entry, then the new.
    String text = d.text();
    assertEquals(
        "Affected differently: 1 source\n"
            + "  - 127.0.0.50 / perConnection.messages close 1\n"
            + "  + 127.0.0.50 / perConnection.messages drop "
            + c.after().get(0).count()
            + "\n",
        text.substring(text.indexOf("Affected differently")));
  }
}
