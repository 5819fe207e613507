package io.wssguard.it;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.net.InetSocketAddress;

/**
 * A WebSocket echo backend that puts its tag before every text message it sends back ({@code
 * a:hello}), so a test can tell which backend a conversation reached.
 */
final class TaggedEchoBackend implements AutoCloseable {
  private final Undertow server;

  private TaggedEchoBackend(Undertow server) {
    this.server = server;
  }

  static TaggedEchoBackend start(String tag) {
    Undertow server =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setIoThreads(1)
            .setWorkerThreads(1)
            .setServerOption(UndertowOptions.ENABLE_HTTP2, false)
            .setHandler(
                Handlers.websocket(
                    (exchange, channel) -> {
                      channel
                          .getReceiveSetter()
                          .set(
                              new AbstractReceiveListener() {
                                @Override
                                protected void onFullTextMessage(
                                    WebSocketChannel ch, BufferedTextMessage message) {
                                  WebSockets.sendText(tag + ":" + message.getData(), ch, null);
                                }
                              });
                      channel.resumeReceives();
                    }))
            .build();
    server.start();
    return new TaggedEchoBackend(server);
  }

  /** {@code ws://127.0.0.1:port/}, for a backend group's servers. */
  String url() {
    InetSocketAddress a = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
    return "ws://127.0.0.1:" + a.getPort() + "/";
  }

  @Override
  public void close() {
    server.stop();
  }
}
