/** The console client's command-line options: parsing and validation (commander `argParser`s). */
import { InvalidArgumentError } from 'commander';
import { parseServerPort } from '../cli/parsers.js';
import { isValidNick, NICK_RULE } from '../protocol/index.js';

export interface ClientCliOptions {
  host: string;
  port: number;
  /** `--server`, as often as given: tried in turn; `--host`/`--port` count only without it. */
  server?: ServerAddress[];
  nick?: string;
  adminToken?: string;
  /** false with `--no-color`. */
  color: boolean;
  retries: number;
  tls?: boolean;
  /** A PEM file of the CA that signed the server's certificate (implies `--tls`). */
  ca?: string;
}

const MAX_RETRIES = 100;

export function parseHost(value: string): string {
  if (value.trim() === '' || /\s/.test(value))
    throw new InvalidArgumentError('host must be a host name or an IP address.');
  return value;
}

export interface ServerAddress {
  host: string;
  port: number;
}

/** `host:port` (`[v6]:port` for an IPv6 address), added to those given before. */
export function parseServer(value: string, previous: ServerAddress[] = []): ServerAddress[] {
  const match = /^(?:\[(?<v6>[^\]]+)\]|(?<name>[^\s:]+)):(?<port>[0-9]+)$/.exec(value);
  const host = match?.groups?.v6 ?? match?.groups?.name;
  if (host === undefined) throw new InvalidArgumentError('server must be host:port (or [IPv6]:port).');
  return [...previous, { host, port: parseServerPort(match?.groups?.port ?? '') }];
}

export function parseNick(value: string): string {
  if (!isValidNick(value)) throw new InvalidArgumentError(`nick must be ${NICK_RULE}.`);
  return value;
}

export function parseRetries(value: string): number {
  const retries = Number(value);
  if (!/^[0-9]+$/.test(value) || retries < 1 || retries > MAX_RETRIES) {
    throw new InvalidArgumentError(`retries must be an integer from 1 to ${MAX_RETRIES}.`);
  }
  return retries;
}

export function parseToken(value: string): string {
  if (value === '' || /\s/.test(value))
    throw new InvalidArgumentError('admin token must be non-empty, without spaces.');
  return value;
}
