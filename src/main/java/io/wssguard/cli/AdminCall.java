package io.wssguard.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.wssguard.admin.AdminToken;
import io.wssguard.config.AdminConfig;
import io.wssguard.net.Cidr;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One authenticated request to a running proxy's admin API, for the commands that act on the
 * running proxy rather than on files ({@code wssguard ban}, a reload): the address comes from the
 * configuration's {@code admin.bind} (a wildcard bind is reached on loopback) and the bearer token
 * from its {@code admin.tokenFile}, read fresh for every call with {@link AdminToken#read}, which
 * refuses a symbolic link. State changes go as {@code application/json}, as the API requires.
 *
 * <p>Every answer of the admin API, whatever its status, is an {@link Answer} and the caller
 * decides what it means. Anything else is {@link Unreachable} with why, in words for an operator:
 * the listener is off, the token cannot be read, nothing listens, no answer in time, or something
 * that is not wssguard's admin API answers (it always answers JSON objects), so the caller can fall
 * back to another way and name both.
 */
final class AdminCall {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(15);
  private static final JsonFactory JSON = new JsonFactory();

  private final AdminConfig admin;
  private final String url;
  private final Duration answerTimeout;

  private AdminCall(AdminConfig admin, Duration answerTimeout) {
    this.admin = admin;
    this.url = admin.enabled() ? url(admin.bind()) : null;
    this.answerTimeout = answerTimeout;
  }

  /** Calls to the admin listener {@code admin} describes (which may be off: every call says so). */
  static AdminCall to(AdminConfig admin) {
    return new AdminCall(admin, ANSWER_TIMEOUT);
  }

  /** The same calls, waiting up to {@code timeout} for each answer (a reload can take a while). */
  AdminCall answerWithin(Duration timeout) {
    return new AdminCall(admin, timeout);
  }

  /** {@code http://127.0.0.1:9090/}, or a note that the listener is off. */
  String where() {
    return url != null ? url : "no admin listener (admin.bind: off)";
  }

  /** What the admin API answered: its status and its JSON body, parsed and as sent. */
  record Answer(int status, Object json, String body) {
    /** A top-level string or number field, or {@code null}. */
    String field(String name) {
      Object value = json instanceof Map<?, ?> m ? m.get(name) : null;
      return value == null ? null : value.toString();
    }

    /** The API's own words for a refusal: its {@code error} field. */
    String error() {
      String error = field("error");
      return error != null ? error : String.valueOf(json);
    }
  }

  /** No answer from a wssguard admin API; the message says why. */
  static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean proxyListens;

    Unreachable(String message) {
      this(message, false);
    }

    Unreachable(String message, boolean proxyListens) {
      super(message);
      this.proxyListens = proxyListens;
    }

    /**
     * Whether something listens at the admin address although the call could not be made (the token
     * could not be read): a proxy is probably running, so this is not "no proxy".
     */
    boolean proxyListens() {
      return proxyListens;
    }
  }

  Answer get(String path) throws Unreachable {
    return call("GET", path, null);
  }

  /** A state-changing request ({@code POST}, {@code DELETE}) with a JSON body, or none. */
  Answer change(String method, String path, String jsonBody) throws Unreachable {
    return call(method, path, jsonBody);
  }

  private Answer call(String method, String path, String jsonBody) throws Unreachable {
    if (url == null) {
      throw new Unreachable("its admin listener is off (admin.bind: off)");
    }
    String token = token();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url + path.substring(1)))
            .timeout(answerTimeout)
            .header("Authorization", "Bearer " + token)
            .method(
                method,
                jsonBody == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(jsonBody));
    if (!method.equals("GET")) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> response;
    try {
      response = client().send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpConnectTimeoutException e) {
      throw new Unreachable(
          "no connection to " + url + " within " + CONNECT_TIMEOUT.toSeconds() + " s");
    } catch (HttpTimeoutException e) {
      throw new Unreachable(
          "no answer from " + url + " within " + answerTimeout.toSeconds() + " s");
    } catch (ConnectException e) {
      throw new Unreachable("nothing listens at " + url + " (connection refused)");
    } catch (IOException e) {
      throw new Unreachable(url + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable(url + ": interrupted");
    }
    String type = response.headers().firstValue("Content-Type").orElse("");
    boolean isJson = type.toLowerCase(Locale.ROOT).startsWith("application/json");
    Object json = isJson ? parse(response.body()) : null;
    if (!(json instanceof Map<?, ?>)) {
      throw new Unreachable(
          "something that is not wssguard's admin API answers at "
              + url
              + " (HTTP "
              + response.statusCode()
              + (type.isEmpty() ? "" : ", " + type)
              + ")");
    }
    return new Answer(response.statusCode(), json, response.body());
  }

  private String token() throws Unreachable {
    try {
      return AdminToken.read(admin.tokenFile());
    } catch (IOException e) {
      if (!listens()) {
        // No proxy ever ran with this config (it writes the token at its first start), or it is
        // gone: that, not the token, is what the operator needs to hear.
        throw new Unreachable("nothing listens at " + url + " (connection refused)");
      }
      throw new Unreachable("cannot read the admin token: " + tokenProblem(e), true);
    }
  }

  private String tokenProblem(IOException e) {
    // AdminToken names the file and what is wrong; for these two the operator needs another hint.
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    if (cause instanceof NoSuchFileException) {
      return admin.tokenFile() + ": not found (is --config the file the proxy runs?)";
    }
    if (cause instanceof AccessDeniedException) {
      return admin.tokenFile() + ": permission denied (run as root or as the service's user)";
    }
    return e.getMessage();
  }

  /** Whether anything accepts a TCP connection at the admin address. */
  private boolean listens() {
    try (Socket s = new Socket()) {
      s.connect(reachable(admin.bind()), (int) CONNECT_TIMEOUT.toMillis());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static HttpClient client() {
    return HttpClient.newBuilder()
        .connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** The URL that reaches {@code bind}: its own address, or loopback for a wildcard bind. */
  static String url(InetSocketAddress bind) {
    return "http://" + hostPort(reachable(bind)) + "/";
  }

  /** {@code 127.0.0.1:9090} or {@code [::1]:9090}, as a URL and the Host header want it. */
  static String hostPort(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /** A wildcard bind is reached on the loopback address of its family. */
  static InetSocketAddress reachable(InetSocketAddress bind) {
    InetAddress a = bind.getAddress();
    if (!a.isAnyLocalAddress()) {
      return bind;
    }
    return new InetSocketAddress(
        a instanceof Inet4Address ? InetAddress.getLoopbackAddress() : Cidr.address("::1"),
        bind.getPort());
  }

  /** A JSON text as maps, lists, strings and numbers, or {@code null} when it is not JSON. */
  private static Object parse(String text) {
    try (JsonParser p = JSON.createParser(text)) {
      Object value = value(p, p.nextToken());
      return p.nextToken() == null ? value : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static Object value(JsonParser p, JsonToken t) throws IOException {
    if (t == null) {
      throw new IOException("end of input");
    }
    return switch (t) {
      case START_OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          m.put(key, value(p, p.nextToken()));
        }
        yield m;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
          list.add(value(p, item));
        }
        yield list;
      }
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
      case VALUE_TRUE, VALUE_FALSE -> p.getBooleanValue();
      default -> null;
    };
  }
}
