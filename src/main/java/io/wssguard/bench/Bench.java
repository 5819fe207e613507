package io.wssguard.bench;

import io.wssguard.demo.DemoEchoBackend;
import io.wssguard.observe.JsonText;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * {@code wssguard bench}: measures wssguard's overhead against a direct connection to the backend,
 * one target after another in the same run, with the same client, backend and load. Starts what it
 * needs on loopback (the demo echo backend unless one is given, and one wssguard process for all
 * proxied targets) and stops it again.
 */
public final class Bench {
  /**
   * Exit codes: the run completed and nothing failed; it could not run; it ran but a connection
   * failed.
   */
  public static final int OK = 0;

  public static final int CANNOT_RUN = 1;
  public static final int ERRORS = 3;

  private final BenchParams params;
  private final String version;
  private final PrintStream out;
  private final PrintStream err;

  public Bench(BenchParams params, String version, PrintStream out, PrintStream err) {
    this.params = params;
    this.version = version;
    this.out = out;
    this.err = err;
  }

  public int run(boolean terminal) throws IOException, InterruptedException {
    double loadBefore = ProcStats.loadAverage();
    Path work = Files.createTempDirectory("wssguard-bench-");
    DemoEchoBackend demo = null;
    ProxyProcess proxy = null;
    List<TargetResult> results = new ArrayList<>();
    Map<String, Object> proxyInfo = new LinkedHashMap<>();
    String backendHostPort;
    String backendPath = "/";
    String backendName;
    try {
      if (params.backend() == null) {
        demo = DemoEchoBackend.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        InetSocketAddress a = demo.address();
        backendHostPort = a.getHostString() + ":" + a.getPort();
        backendName = "demo echo (in the bench process) ws://" + backendHostPort + "/";
      } else {
        backendHostPort = params.backend().getHost() + ":" + params.backend().getPort();
        if (params.backend().getRawPath() != null && !params.backend().getRawPath().isEmpty()) {
          backendPath = params.backend().getRawPath();
        }
        backendName = params.backend().toString();
      }
      if (params.anyProxied()) {
        if (params.jar() == null) {
          err.println(
              "wssguard bench: cannot find the wssguard jar to start (run it as java -jar wssguard.jar"
                  + " bench, or give --jar)");
          return CANNOT_RUN;
        }
        proxy =
            ProxyProcess.start(
                params.jar(), params.proxyJavaOptions(), work.resolve("proxy"), backendHostPort);
        proxyInfo.put("pid", proxy.pid());
        proxyInfo.put("jar", params.jar().toString());
        proxyInfo.put("rssBytesAtStart", ProcStats.rssBytes(proxy.pid()));
      }
      SSLContext tls = trustAnything();
      Progress progress = new Progress(err, terminal && !params.quiet(), params.targets().size());
      TargetRun runner = new TargetRun(params, progress);
      for (Target t : params.targets()) {
        progress.next();
        InetSocketAddress address;
        String path;
        long pid = -1;
        if (t.proxied()) {
          if (!proxy.alive()) {
            progress.clear();
            err.println("wssguard bench: the proxy process has exited; its log: " + proxy.log());
            return CANNOT_RUN;
          }
          address = new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port(t.listener));
          path = t.path;
          pid = proxy.pid();
        } else {
          String[] hp = splitHostPort(backendHostPort);
          address = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
          path = backendPath;
        }
        results.add(runner.run(t, address, path, t.tls() ? tls : null, pid));
        Thread.sleep(300);
      }
      progress.clear();
      if (proxy != null) {
        proxyInfo.put("rssBytesAtEnd", ProcStats.rssBytes(proxy.pid()));
      }
    } finally {
      if (proxy != null) {
        proxy.close();
      }
      if (demo != null) {
        demo.close();
      }
    }
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cpus", Runtime.getRuntime().availableProcessors());
    machine.put("loadAverageBefore", loadBefore);
    machine.put("loadAverageAfter", ProcStats.loadAverage());
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.put(
        "java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    Map<String, Object> doc =
        Report.document(params, version, backendName, machine, proxyInfo, results);
    String table = Report.table(doc);
    out.print(table);
    Files.createDirectories(params.out());
    Path json = params.out().resolve("bench.json");
    Path svg = params.out().resolve("bench.svg");
    Files.writeString(json, new JsonText().value(doc) + "\n");
    Files.writeString(
        svg,
        Chart.svg(results, table.lines().findFirst().orElse("").replace("wssguard bench: ", "")));
    out.println("wrote " + json + " and " + svg);
    deleteQuietly(work);
    long errors = 0;
    for (TargetResult r : results) {
      errors += r.errors();
      if (r.firstError() != null && r.errors() > 0) {
        err.println(
            "wssguard bench: "
                + r.target().id
                + ": "
                + r.errors()
                + " errors, first: "
                + r.firstError());
      }
    }
    return errors == 0 ? OK : ERRORS;
  }

  private static String[] splitHostPort(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new String[] {hostPort.substring(0, colon), hostPort.substring(colon + 1)};
  }

  /**
   * The bench talks only to its own loopback proxy, whose certificate it has just generated itself.
   */
  private static SSLContext trustAnything() throws IOException {
    TrustManager trustAll =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // the bench is never a server
          }

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // self-signed certificate of the proxy under test, generated for this run
          }

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {trustAll}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("no TLS client context", e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
