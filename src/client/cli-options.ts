/** The console client's command-line options: parsing and validation (commander `argParser`s). */
import { InvalidArgumentError } from 'commander';
import { isValidNick, NICK_RULE } from '../protocol/index.js';

export interface CliOptions {
  host: string;
  port: number;
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
