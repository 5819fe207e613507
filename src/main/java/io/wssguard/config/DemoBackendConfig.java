package io.wssguard.config;

import java.net.InetSocketAddress;

/** The built-in echo WebSocket server, for trying wssguard out without a backend of one's own. */
public record DemoBackendConfig(InetSocketAddress bind) {}
