/**
 * While the primary shuts down it keeps the HTTP port open and answers every request there
 * itself: `503 shutting down`. A load balancer polling `/healthz` sees the server going away
 * (and a browser sees why) instead of a refused connection.
 */
import http from 'node:http';
import type net from 'node:net';

const TIMEOUT_MS = 2_000;

export class ShutdownResponder {
  readonly #server: http.Server;

  constructor() {
    this.#server = http.createServer(
      { headersTimeout: TIMEOUT_MS, requestTimeout: TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_MS / 2 },
      (_request, response) => {
        response.shouldKeepAlive = false;
        response.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
        response.end('shutting down\n');
      },
    );
    // Never listening, it must be told to start enforcing its timeouts (see HttpFront).
    this.#server.emit('listening');
  }

  accept(socket: net.Socket): void {
    socket.on('error', () => {});
    this.#server.emit('connection', socket);
    socket.resume();
  }
}
