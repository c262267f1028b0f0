/** The HTTP port against a real server: routes, its limits, and what it says while shutting down. */
import test from 'ava';
import { once } from 'node:events';
import net from 'node:net';
import WebSocket from 'ws';
import { freePort } from '../helpers/chat-stream.js';
import { registered } from '../helpers/line-client.js';
import { failedStart, startServer } from '../helpers/server.js';

/** Sends raw bytes on a fresh connection; resolves with everything received until the server closes it. */
async function rawExchange(port: number, request: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let received = '';
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  socket.on('error', () => {});
  socket.write(request);
  await once(socket, 'close');
  return received;
}

test('/healthz answers 200 while serving; unknown paths 404, other methods 405, a plain GET /ws 426', async (t) => {
  const server = await startServer(t, { workers: 1 });
  const base = server.httpUrl;
  const health = await fetch(`${base}healthz`);
  t.is(health.status, 200);
  t.is(await health.text(), 'ok\n');
  t.is((await fetch(`${base}healthz?probe=1`, { method: 'HEAD' })).status, 200);
  t.is((await fetch(`${base}nope`)).status, 404);
  const post = await fetch(`${base}healthz`, { method: 'POST', body: 'x' });
  t.is(post.status, 405);
  t.is(post.headers.get('allow'), 'GET, HEAD');
  t.is((await fetch(`${base}ws`)).status, 426);
  t.regex(health.headers.get('content-security-policy') ?? '', /default-src 'none'/);
});

test('a WebSocket upgrade on another path than /ws is refused with 404', async (t) => {
  const server = await startServer(t, { workers: 1 });
  const ws = new WebSocket(`ws://127.0.0.1:${server.httpPort}/chat`);
  ws.on('error', () => {});
  const [, response] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
  t.is(response.statusCode, 404);
  ws.terminate();
});

test('the HTTP port cannot be held: oversized headers get 431, a silent or slow request 408 after --http-timeout', async (t) => {
  const server = await startServer(t, { workers: 1, args: ['--http-timeout', '0.5'] });
  const huge = await rawExchange(
    server.httpPort,
    `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(10_000)}\r\n\r\n`,
  );
  t.regex(huge, /^HTTP\/1\.1 431 /);
  t.regex(await rawExchange(server.httpPort, ''), /^HTTP\/1\.1 408 /);
  t.regex(await rawExchange(server.httpPort, 'GET /healthz HTTP/1.1\r\nHost: x\r\n'), /^HTTP\/1\.1 408 /);
  t.is((await fetch(`${server.httpUrl}healthz`)).status, 200, 'the server still serves');
});

test('while the server shuts down the HTTP port answers 503, /healthz included', async (t) => {
  const server = await startServer(t, { workers: 1 });
  // A client that does not close after BYE keeps the shutdown waiting for its grace period.
  const { client } = await registered(t, server.port, 'lingerer');
  server.process.kill('SIGTERM');
  t.is(await client.until((l) => l.startsWith('BYE ')), 'BYE server shutting down');
  const health = await fetch(`${server.httpUrl}healthz`);
  t.is(health.status, 503);
  t.is(await health.text(), 'shutting down\n');
});

test('--no-http opens no HTTP port; --max-frame below --max-line + 2 is refused at start', async (t) => {
  const server = await startServer(t, { workers: 1, args: ['--no-http'] });
  t.false(server.output.includes('web client on'));
  const refused = await failedStart(['--max-line', '100', '--max-frame', '50']);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /--max-frame must be at least --max-line \+ 2 \(102\)/);
});

test('an HTTP port in use: one line naming --http-port, exit code 1', async (t) => {
  const running = await startServer(t, { workers: 1 });
  const refused = await failedStart(['--http-port', String(running.httpPort)]);
  t.is(refused.code, 1);
  t.is(
    refused.stderr,
    `clusterchat: port ${running.httpPort} on 127.0.0.1 is already in use (another clusterchat?); choose another with --http-port <n>, or --http-port 0 for a free one\n`,
  );
});

test('CHAT_HTTP_PORT chooses the HTTP port', async (t) => {
  const port = await freePort();
  const server = await startServer(t, { workers: 1, env: { CHAT_HTTP_PORT: String(port) }, args: [] });
  t.is(server.httpPort, port);
});

test('/ serves the built web client, its script and style, each with an ETag that answers 304', async (t) => {
  const server = await startServer(t, { workers: 1 });
  const page = await fetch(server.httpUrl);
  t.is(page.status, 200);
  t.is(page.headers.get('content-type'), 'text/html; charset=utf-8');
  t.regex(await page.text(), /<script type="module" src="\/app\.js"><\/script>/);
  for (const [path, type] of [
    ['app.js', 'text/javascript; charset=utf-8'],
    ['app.css', 'text/css; charset=utf-8'],
  ] as const) {
    const asset = await fetch(`${server.httpUrl}${path}`);
    t.is(asset.status, 200, path);
    t.is(asset.headers.get('content-type'), type);
    const etag = asset.headers.get('etag') ?? '';
    t.regex(etag, /^"[\w-]+"$/);
    t.is((await fetch(`${server.httpUrl}${path}`, { headers: { 'If-None-Match': etag } })).status, 304);
  }
});
