/** The console client's command-line options: parsing and validation (commander `argParser`s). */
import { InvalidArgumentError } from 'commander';
import { isValidNick } from '../protocol/index.js';

export interface CliOptions {
  host: string;
  port: number;
  nick?: string;
  adminToken?: string;
  /** false with `--no-color`. */
  color: boolean;
  retries: number;
}

export const MAX_RETRIES = 100;

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError('port must be an integer from 1 to 65535.');
  }
  return port;
}

export function parseHost(value: string): string {
  if (value.trim() === '' || /\s/.test(value))
    throw new InvalidArgumentError('host must be a host name or an IP address.');
  return value;
}

export function parseNick(value: string): string {
  if (!isValidNick(value)) throw new InvalidArgumentError('nick must be 1-24 of A-Z a-z 0-9 _ -.');
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
