package io.wssguard.demo;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.xnio.Pooled;

/**
 * The built-in demo backend: a WebSocket echo server on plain {@code ws://}, so that {@code
 * wssguard run} shows a working proxy with nothing else installed. It echoes every text and binary
 * message unchanged.
 */
public final class DemoEchoBackend implements AutoCloseable {
  /**
   * Messages above this are refused by the demo itself (the proxy's own limit normally stops them
   * first).
   */
  private static final long MAX_MESSAGE_BYTES = 16L << 20;

  private final Undertow server;

  private DemoEchoBackend(Undertow server) {
    this.server = server;
  }

  public static DemoEchoBackend start(InetSocketAddress bind) {
    Undertow server =
        Undertow.builder()
            .addHttpListener(bind.getPort(), bind.getHostString())
            .setIoThreads(1)
            .setWorkerThreads(1)
            .setServerOption(UndertowOptions.ENABLE_HTTP2, false)
            .setHandler(
                Handlers.websocket(
                    (exchange, channel) -> {
                      channel.getReceiveSetter().set(new Echo());
                      channel.resumeReceives();
                    }))
            .build();
    server.start();
    return new DemoEchoBackend(server);
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
  }

  @Override
  public void close() {
    server.stop();
  }

  private static final class Echo extends AbstractReceiveListener {
    @Override
    protected long getMaxTextBufferSize() {
      return MAX_MESSAGE_BYTES;
    }

    @Override
    protected long getMaxBinaryBufferSize() {
      return MAX_MESSAGE_BYTES;
    }

    @Override
    protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
      WebSockets.sendText(message.getData(), channel, null);
    }

    // Undertow hands a buffered binary message over only as xnio's deprecated Pooled.
    @SuppressWarnings("deprecation")
    @Override
    protected void onFullBinaryMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
      Pooled<ByteBuffer[]> data = message.getData();
      WebSockets.sendBinary(
          data.getResource(),
          channel,
          new WebSocketCallback<Void>() {
            @Override
            public void complete(WebSocketChannel c, Void context) {
              data.free();
            }

            @Override
            public void onError(WebSocketChannel c, Void context, Throwable throwable) {
              data.free();
            }
          });
    }
  }
}
