/**
 * A private CA and a server certificate signed by it, made with `openssl` at test time in a
 * temporary directory (removed when the test ends). The certificate names `localhost` and
 * 127.0.0.1. Tests that need it are declared with `tlsTest`, which skips them — with one line
 * saying why — where openssl is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Owner } from './server.js';

const OPENSSL = spawnSync('openssl', ['version']).status === 0;

if (!OPENSSL) console.log('openssl is not installed: skipping the TLS tests (apt-get install openssl)');

/** `test`, or `test.skip` where there is no openssl to make certificates with. */
export const tlsTest = OPENSSL ? test : test.skip;

export interface Certificates {
  dir: string;
  /** The CA's certificate: what a client passes as `--ca`. */
  caPath: string;
  ca: string;
  certPath: string;
  keyPath: string;
  /** A key that does not belong to the certificate. */
  otherKeyPath: string;
}

export function makeCertificates(t: Owner): Certificates {
  const dir = mkdtempSync(join(tmpdir(), 'clusterchat-tls-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=clusterchat test CA',
  );
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(path('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(
    ...['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial'],
    ...['-out', 'server.pem', '-days', '2', '-extfile', 'server.ext'],
  );
  openssl('genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'other.key');
  return {
    dir,
    caPath: path('ca.pem'),
    ca: readFileSync(path('ca.pem'), 'utf8'),
    certPath: path('server.pem'),
    keyPath: path('server.key'),
    otherKeyPath: path('other.key'),
  };
}
