#!/usr/bin/env node
// A backend on Node's `ws` package for wssguard's integration tests. Loopback only.
// Usage: node ws-backend.js PORT [CERT KEY]   (with CERT and KEY: TLS, i.e. a wss:// backend)
// Prints "listening PORT" once ready; the path of the upgrade picks the behaviour:
//   /echo          echo every message (text stays text, binary stays binary)
//   /headers       send the upgrade request's headers as one JSON text message, then echo
//   /protocol      accept the first offered subprotocol (ws does that), then echo
//   /hangup        after the first message, drop the TCP connection without a close frame
//   /big?bytes=N   after the first message, send one binary message of N bytes
//   /close?code=C  after the first message, close with code C
//   /deflate       like /echo but with permessage-deflate enabled on the server
//   any path with ?say=url   send the request target it was asked for (path and query) first, then echo
//   any path with ?greet=N   send a text message of N bytes first, with the 101 if the socket allows, then echo
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const { WebSocketServer } = require('ws');

const port = +(process.argv[2] || 0);
const refuse = (req, res) => { res.writeHead(426); res.end('websocket only\n'); };
const server = process.argv[3]
  ? https.createServer({ cert: fs.readFileSync(process.argv[3]), key: fs.readFileSync(process.argv[4]) }, refuse)
  : http.createServer(refuse);
const plain = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 << 20 });
const deflate = new WebSocketServer({ noServer: true, perMessageDeflate: true, maxPayload: 64 << 20 });

server.on('upgrade', (req, socket, head) => {
  const wss = req.url.startsWith('/deflate') ? deflate : plain;
  wss.handleUpgrade(req, socket, head, (ws) => serve(ws, req));
});

function serve(ws, req) {
  const url = new URL(req.url, 'http://localhost');
  ws.on('error', () => {});
  if (url.pathname === '/headers') {
    ws.send(JSON.stringify(req.headers));
  }
  if (url.searchParams.get('say') === 'url') {
    ws.send(req.url);
  }
  if (url.searchParams.has('greet')) {
    ws.send('g'.repeat(+url.searchParams.get('greet')));
  }
  let first = true;
  ws.on('message', (data, isBinary) => {
    const wasFirst = first;
    first = false;
    if (wasFirst && url.pathname === '/hangup') { ws._socket.destroy(); return; }
    if (wasFirst && url.pathname === '/big') { ws.send(Buffer.alloc(+url.searchParams.get('bytes'), 7)); return; }
    if (wasFirst && url.pathname === '/close') { ws.close(+url.searchParams.get('code'), 'bye'); return; }
    ws.send(data, { binary: isBinary });
  });
}

server.listen({ host: '127.0.0.1', port }, () => console.log('listening ' + server.address().port));
process.on('SIGTERM', () => process.exit(0));
process.stdin.on('end', () => process.exit(0)); // die with the test JVM
process.stdin.resume();
