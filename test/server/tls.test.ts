/** TLS on the chat port, with a certificate made for the run: clients, refusals, stalled handshakes. */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import type { ExecutionContext } from 'ava';
import { makeCertificates, tlsTest, type Certificates } from '../helpers/certificates.js';
import { LineClient } from '../helpers/line-client.js';
import { connectWs } from '../helpers/ws-line-client.js';
import { failedStart, startServer, type TestServer } from '../helpers/server.js';
import { runCli } from '../client/helpers/cli-process.js';

async function tlsServer(
  t: ExecutionContext,
  extra: string[] = [],
): Promise<{ server: TestServer; certs: Certificates }> {
  const certs = makeCertificates(t);
  const server = await startServer(t, {
    workers: 2,
    args: ['--tls-cert', certs.certPath, '--tls-key', certs.keyPath, ...extra],
  });
  return { server, certs };
}

/** A TLS connection that checks the server's certificate against the test CA, WELCOME read. */
async function tlsClient(t: ExecutionContext, port: number, ca: string, host = 'localhost'): Promise<LineClient> {
  return (await tlsConnection(t, port, ca, host)).client;
}

async function tlsConnection(
  t: ExecutionContext,
  port: number,
  ca: string,
  host: string,
): Promise<{ client: LineClient; socket: tls.TLSSocket }> {
  // SNI carries host names only (RFC 6066); an address is checked against the certificate's IP entries.
  const socket = tls.connect({ port, host, ca, ...(net.isIP(host) === 0 ? { servername: host } : {}) });
  const client = new LineClient(socket);
  t.teardown(() => {
    client.close();
  });
  await client.next();
  return { client, socket };
}

tlsTest('over TLS, clients on different workers register, chat, DM and read history', async (t) => {
  const { server, certs } = await tlsServer(t);
  const { client: alice, socket } = await tlsConnection(t, server.port, certs.ca, 'localhost');
  const bob = await tlsClient(t, server.port, certs.ca, '127.0.0.1');
  t.regex(alice.lines[0] ?? '', /^WELCOME chat\/1 \d+ \d+ \S+$/);
  t.is(await alice.command('REGISTER alice'), 'OK alice');
  t.is(await bob.command('REGISTER bob'), 'OK bob');
  const seq = (await alice.command('MSG hello over TLS')).slice(3);
  await bob.until((line) => line.startsWith(`MSG ${seq} `) && line.endsWith(' alice hello over TLS'));
  t.is(await bob.command('DM alice psst'), 'OK');
  await alice.until((line) => line.startsWith('DM ') && line.endsWith(' bob psst'));
  t.is(await bob.command('HISTORY 1'), 'OK 1');
  t.is(socket.getPeerCertificate().subject.CN, 'localhost');
  await server.waitFor(/TLS on: DNS:localhost, IP Address:127\.0\.0\.1, valid until /);
});

/** GET over https, trusting the test CA; resolves with the status and the body. */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, body });
        });
      })
      .on('error', reject);
  });
}

tlsTest('the HTTP port speaks https and wss only: the page, /healthz, and chat/1 over wss', async (t) => {
  const { server, certs } = await tlsServer(t);
  t.regex(server.httpUrl, /^https:\/\/127\.0\.0\.1:\d+\/$/);
  const base = `https://localhost:${server.httpPort}`;
  t.like(await httpsGet(`${base}/healthz`, certs.ca), { status: 200, body: 'ok\n' });
  t.regex((await httpsGet(`${base}/`, certs.ca)).body, /<label[^>]*>Nick/);
  const { client: web } = await connectWs(t, server.httpPort, { host: 'localhost', ca: certs.ca });
  t.is(await web.command('REGISTER webby'), 'OK webby');
  const tcp = await tlsClient(t, server.port, certs.ca);
  t.is(await tcp.command('REGISTER tcpy'), 'OK tcpy');
  const seq = (await web.command('MSG over wss')).slice(3);
  await tcp.until((line) => line.startsWith(`MSG ${seq} `) && line.endsWith(' webby over wss'));
  await t.throwsAsync(
    new Promise((resolve, reject) => {
      http.get(`http://127.0.0.1:${server.httpPort}/healthz`, resolve).on('error', reject);
    }),
    undefined,
    'plain http gets no answer',
  );
});

tlsTest('the chat port speaks TLS only: a plain-text client gets no WELCOME and is closed', async (t) => {
  const { server } = await tlsServer(t);
  const plain = new LineClient(net.connect({ port: server.port, host: '127.0.0.1' }));
  t.teardown(() => {
    plain.close();
  });
  plain.send('REGISTER mallory');
  await plain.closedByPeer();
  t.false(
    plain.lines.some((line) => line.includes('WELCOME')),
    'nothing readable was sent',
  );
});

tlsTest('a handshake that never starts holds its slot only until the registration timeout', async (t) => {
  const { server, certs } = await tlsServer(t, ['--register-timeout', '1', '--max-clients', '1']);
  const socket = net.connect({ port: server.port, host: '127.0.0.1' });
  const silent = new LineClient(socket);
  t.teardown(() => {
    silent.close();
  });
  await new Promise((resolve) => socket.once('connect', resolve));
  await server.waitFor(new RegExp(`connection \\d+ from 127\\.0\\.0\\.1:${socket.localPort ?? 0}\\b`));
  const refused = await tlsClient(t, server.port, certs.ca);
  t.is(await refused.next(), 'BYE server full', 'the silent connection holds the only slot');
  await silent.closedByPeer(5_000);
  for (;;) {
    const client = await tlsClient(t, server.port, certs.ca);
    const reply = await client.command('PING').catch(() => 'closed');
    if (reply === 'OK') break;
  }
  t.pass('the slot was freed');
});

tlsTest('a client that does not trust the certificate fails the handshake, and says why', async (t) => {
  const { server } = await tlsServer(t);
  const cli = runCli(t, ['--tls', '--port', String(server.port), '--nick', 'alice', '--retries', '1']);
  t.is(await cli.exited, 1);
  t.regex(cli.stderr, /cannot connect to 127\.0\.0\.1:\d+ \(TLS\): .*(self-signed|unable to (get|verify))/i);
});

tlsTest('the console client with --ca speaks TLS to the server', async (t) => {
  const { server, certs } = await tlsServer(t);
  const bob = await tlsClient(t, server.port, certs.ca);
  t.is(await bob.command('REGISTER bob'), 'OK bob');
  const alice = runCli(t, [
    '--ca',
    certs.caPath,
    '--host',
    'localhost',
    '--port',
    String(server.port),
    '--nick',
    'alice',
  ]);
  await alice.line(/^\* connected to worker \d+ as alice$/);
  alice.send('hi bob, encrypted');
  await bob.until((line) => /^MSG \d+ \S+ alice hi bob, encrypted$/.test(line));
  t.regex(await bob.command('MSG hi alice'), /^OK \d+$/);
  await alice.line(/<bob> hi alice$/);
  alice.send('/quit');
  t.is(await alice.exited, 0);
});

const refusals: Array<{ title: string; args: (certs: Certificates) => string[]; error: RegExp }> = [
  {
    title: 'a certificate without its key',
    args: (certs) => ['--tls-cert', certs.certPath],
    error: /^clusterchat: TLS needs both --tls-cert <file> and --tls-key <file>\n$/,
  },
  {
    title: 'a key that does not belong to the certificate',
    args: (certs) => ['--tls-cert', certs.certPath, '--tls-key', certs.otherKeyPath],
    error: /^clusterchat: the key in \S+other\.key does not belong to the certificate in \S+server\.pem\n$/,
  },
  {
    title: 'a file that is not a certificate',
    args: (certs) => {
      writeFileSync(join(certs.dir, 'junk.pem'), 'not a certificate\n');
      return ['--tls-cert', join(certs.dir, 'junk.pem'), '--tls-key', certs.keyPath];
    },
    error: /^clusterchat: \S+junk\.pem is not a PEM certificate: /,
  },
  {
    title: 'a certificate file that cannot be read',
    args: (certs) => ['--tls-cert', join(certs.dir, 'missing.pem'), '--tls-key', certs.keyPath],
    error: /^clusterchat: cannot read --tls-cert \S+missing\.pem: ENOENT/,
  },
];

for (const { title, args, error } of refusals) {
  tlsTest(`the server refuses to start with ${title}: one line, exit code 1`, async (t) => {
    const certs = makeCertificates(t);
    const failed = await failedStart(args(certs));
    t.is(failed.code, 1);
    t.regex(failed.stderr, error);
    t.is(failed.stdout, '', 'nothing started');
  });
}
