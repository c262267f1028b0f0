/** `--tls-cert` and `--tls-key`: read and checked once at start, so a bad file stops the start with one line. */
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createServerContext, type TlsCredentials } from '../server/tls-socket.js';

interface TlsFileOptions {
  tlsCert: string | undefined;
  tlsKey: string | undefined;
}

export interface LoadedTls {
  credentials: TlsCredentials;
  /** Who the certificate names and until when, for the log. */
  description: string;
}

/** undefined without TLS; throws one clear line when the files are missing, unreadable or do not fit. */
export function loadTlsFiles(options: TlsFileOptions): LoadedTls | undefined {
  if (options.tlsCert === undefined && options.tlsKey === undefined) return undefined;
  if (options.tlsCert === undefined || options.tlsKey === undefined) {
    throw new Error('TLS needs both --tls-cert <file> and --tls-key <file>');
  }
  const credentials = { cert: read(options.tlsCert, '--tls-cert'), key: read(options.tlsKey, '--tls-key') };
  const certificate = parse(() => new X509Certificate(credentials.cert), `${options.tlsCert} is not a PEM certificate`);
  const key = parse(
    () => createPrivateKey(credentials.key),
    `${options.tlsKey} is not a PEM private key (or it is encrypted: give it without a passphrase)`,
  );
  if (!certificate.checkPrivateKey(key)) {
    throw new Error(`the key in ${options.tlsKey} does not belong to the certificate in ${options.tlsCert}`);
  }
  parse(() => createServerContext(credentials), `cannot use ${options.tlsCert} with ${options.tlsKey}`);
  if (Date.parse(certificate.validTo) < Date.now()) {
    throw new Error(`the certificate in ${options.tlsCert} expired on ${certificate.validTo}`);
  }
  const names = certificate.subjectAltName ?? certificate.subject.replace(/\n/g, ', ');
  return { credentials, description: `${names}, valid until ${certificate.validTo}` };
}

function parse<T>(make: () => T, what: string): T {
  try {
    return make();
  } catch (error) {
    throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function read(path: string, option: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${option} ${path}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
