package io.wssguard.it;

import io.wssguard.admin.AdminToken;
import io.wssguard.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Talks to the admin listener, and reads its Prometheus scrape back as numbers. */
final class AdminClient {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final String base;
  private final String token;

  AdminClient(String base, String token) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.token = token;
  }

  /** A client with the token in {@code tokenFile} (as the proxy generated or found it). */
  static AdminClient withTokenFrom(String base, Path tokenFile) throws IOException {
    return new AdminClient(base, AdminToken.read(tokenFile));
  }

  /** Sends {@code body}; a POST or DELETE as {@code application/json}, as the API asks. */
  HttpResponse<String> send(String method, String path, String body)
      throws IOException, InterruptedException {
    boolean changes = method.equals("POST") || method.equals("DELETE");
    return send(method, path, body, changes ? "application/json" : null);
  }

  HttpResponse<String> send(String method, String path, String body, String contentType)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  String scrape() throws IOException, InterruptedException {
    HttpResponse<String> r = get("/metrics");
    if (r.statusCode() != 200) {
      throw new IOException("scrape answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  /** Every sample of a scrape: "name" -> list of (labels, value). */
  static Map<String, Map<Map<String, String>, Double>> parse(String scrape) {
    Map<String, Map<Map<String, String>, Double>> result = new HashMap<>();
    for (String line : scrape.split("\n", -1)) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      Map<String, String> labels = new HashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      result
          .computeIfAbsent(m.group(1), k -> new HashMap<>())
          .put(labels, Double.parseDouble(m.group(3)));
    }
    return result;
  }

  /**
   * The sum of a metric's samples whose labels include the given ones ({@code k1, v1, k2, v2,
   * ...}).
   */
  double value(String name, String... labels) throws IOException, InterruptedException {
    return value(parse(scrape()), name, labels);
  }

  static double value(
      Map<String, Map<Map<String, String>, Double>> samples, String name, String... labels) {
    double sum = 0;
    for (Map.Entry<Map<String, String>, Double> e :
        samples.getOrDefault(name, Map.of()).entrySet()) {
      boolean match = true;
      for (int i = 0; i < labels.length; i += 2) {
        match &= labels[i + 1].equals(e.getKey().get(labels[i]));
      }
      if (match) {
        sum += e.getValue();
      }
    }
    return sum;
  }

  /**
   * Waits until the metric reaches {@code expected} (relays flush when they end, on their IO
   * thread).
   */
  double await(double expected, String name, String... labels) throws Exception {
    Await.until(
        () -> value(name, labels) >= expected,
        Duration.ofSeconds(10),
        () -> name + " reaching " + expected);
    return value(name, labels);
  }
}
