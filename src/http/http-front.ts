/**
 * A worker's HTTP side: the primary accepts connections on the HTTP port and hands them here, as
 * it does chat/1 ones. An `http.Server` that never listens is fed each socket; `GET /ws` upgrades
 * to a WebSocket that carries chat/1 into the same `ConnectionTable` as TCP. The other routes:
 * the web client (`/`, `/app.js`, `/app.css`), `/healthz` and `/metrics`.
 *
 * Nothing here can be held open for free: headers and the whole request must arrive within
 * `requestTimeout`, an idle keep-alive connection is closed after a few seconds, headers are
 * capped at 8 KiB, and the worker keeps at most `maxConnections` HTTP connections that are not
 * (yet) WebSocket sessions. A WebSocket session then counts as a chat connection (`--max-clients`).
 */
import http from 'node:http';
import type net from 'node:net';
import type tls from 'node:tls';
import { WebSocketServer } from 'ws';
import type { MetricsPage } from '../bus/messages.js';
import type { Logger } from '../log.js';
import type { ConnectionTable } from '../server/connection-table.js';
import { secureServerSocket } from '../server/tls-socket.js';
import type { WebAsset } from './web-assets.js';

export interface HttpLimits {
  /** Longest WebSocket message, in bytes (`--max-frame`): refused with close 1009 before it is buffered. */
  maxFrame: number;
  /** Milliseconds for a request's headers and body to arrive (`--http-timeout`). */
  requestTimeout: number;
  /** HTTP connections a worker keeps that are not WebSocket sessions. */
  maxConnections: number;
}

export interface HttpFrontOptions {
  connections: ConnectionTable;
  /** The metrics of the whole server; rejects when they cannot be had. */
  metrics: () => Promise<MetricsPage>;
  assets: ReadonlyMap<string, WebAsset>;
  limits: HttpLimits;
  /** With `--tls-cert`: the port speaks https and wss only. */
  tls: tls.SecureContext | undefined;
  log: Logger;
}

/**
 * On every response. The page loads its script and style from this server only, and nothing
 * inline runs: text from the chat can never become markup or code. `connect-src 'self'`
 * covers the same-origin WebSocket.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
/** Node's limit is 16 KiB; nothing we serve needs more than a browser's few hundred bytes. */
const MAX_HEADER_BYTES = 8 * 1024;
const KEEP_ALIVE_MS = 5_000;

export class HttpFront {
  readonly #options: HttpFrontOptions;
  readonly #server: http.Server;
  readonly #wss: WebSocketServer;
  readonly #sockets = new Set<net.Socket>();
  #draining = false;

  constructor(options: HttpFrontOptions) {
    this.#options = options;
    const { requestTimeout } = options.limits;
    this.#server = http.createServer(
      {
        maxHeaderSize: MAX_HEADER_BYTES,
        headersTimeout: requestTimeout,
        requestTimeout,
        keepAliveTimeout: KEEP_ALIVE_MS,
        // The timeouts above are enforced by a check at this interval.
        connectionsCheckingInterval: Math.min(1_000, requestTimeout),
      },
      (request, response) => {
        this.#onRequest(request, response);
      },
    );
    // A server that never listens never starts the timer that enforces those timeouts: it starts
    // on 'listening'. Sockets come from the primary, so say it.
    this.#server.emit('listening');
    this.#server.on('upgrade', (request: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      this.#onUpgrade(request, socket, head);
    });
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.limits.maxFrame,
      clientTracking: false,
      perMessageDeflate: false,
    });
  }

  /** HTTP connections open now that are not WebSocket sessions. */
  get size(): number {
    return this.#sockets.size;
  }

  /** A connection handed over by the primary. */
  accept(socket: net.Socket): void {
    if (this.#draining || this.#sockets.size >= this.#options.limits.maxConnections) {
      socket.destroy();
      return;
    }
    // A TLS handshake that never ends holds the socket no longer than headersTimeout: Node counts
    // it from the moment the connection is given to the server.
    const connection = this.#options.tls === undefined ? socket : secureServerSocket(socket, this.#options.tls);
    this.#sockets.add(connection);
    connection.on('close', () => this.#sockets.delete(connection));
    this.#server.emit('connection', connection);
    socket.resume();
  }

  /** This worker is leaving: its HTTP connections close (clients come back through the primary). */
  drain(): void {
    this.#draining = true;
    this.#server.closeAllConnections();
    // Stops the timeout checks; the server never listened, so there is nothing else to close.
    this.#server.close(() => {});
  }

  #onRequest(request: http.IncomingMessage, response: http.ServerResponse): void {
    const path = pathOf(request.url);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      this.#text(response, 405, 'method not allowed\n');
      return;
    }
    switch (path) {
      case '/healthz':
        this.#health(response);
        return;
      case '/metrics':
        this.#metrics(response);
        return;
      case '/ws':
        response.setHeader('Upgrade', 'websocket');
        this.#text(response, 426, 'chat/1 over WebSocket: this URL wants a WebSocket upgrade\n');
        return;
    }
    const asset = this.#options.assets.get(path);
    if (asset === undefined) {
      const unbuilt = path === '/' && this.#options.assets.size === 0;
      this.#text(response, unbuilt ? 503 : 404, unbuilt ? 'web client not built: npm run build\n' : 'not found\n');
      return;
    }
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader('ETag', asset.etag);
    if (request.headers['if-none-match'] === asset.etag) {
      response.writeHead(304).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': asset.contentType, 'Content-Length': asset.body.length });
    response.end(request.method === 'HEAD' ? undefined : asset.body);
  }

  #metrics(response: http.ServerResponse): void {
    this.#options.metrics().then(
      (page) => {
        response.setHeader('Cache-Control', 'no-store');
        response.writeHead(200, { 'Content-Type': page.contentType }).end(page.body);
      },
      (error: unknown) => {
        this.#options.log.warn(`metrics: ${error instanceof Error ? error.message : String(error)}`);
        this.#text(response, 503, 'metrics unavailable\n');
      },
    );
  }

  /** 200 while this server serves; 503 while it shuts down, or while its host is fenced from a multi-host chat. */
  #health(response: http.ServerResponse): void {
    if (this.#draining) this.#text(response, 503, 'shutting down\n');
    else if (!this.#options.connections.serving)
      this.#text(response, 503, 'not serving: this host lost contact with the chat\n');
    else this.#text(response, 200, 'ok\n');
  }

  #text(response: http.ServerResponse, status: number, text: string): void {
    if (response.headersSent) return;
    response.setHeader('Cache-Control', 'no-store');
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
  }

  #onUpgrade(request: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    // From here on the socket is the WebSocket's: it no longer counts against the HTTP cap.
    this.#sockets.delete(socket);
    if (this.#draining || pathOf(request.url) !== '/ws') {
      socket.end(
        `HTTP/1.1 ${this.#draining ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    const remote = request.socket.remoteAddress;
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      this.#options.connections.acceptWebSocket(ws, remote);
    });
  }
}

/** The path of a request target, without its query; '' when there is none. */
function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
