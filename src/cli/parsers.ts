/** Option parsers for commander: they turn text into values or say which value is wrong. */
import { InvalidArgumentError } from 'commander';

export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!/^[0-9]+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < 1) {
    throw new InvalidArgumentError('must be a positive whole number');
  }
  return number;
}

/** A rate: fractions allowed (`0.5` per second is once every two seconds). */
export function parsePositiveNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new InvalidArgumentError('must be a positive number');
  }
  return number;
}

/** A port to listen on: 0 asks the system for a free one. */
export function parsePort(value: string): number {
  return portFrom(0, value);
}

/** A port to connect to: the one a server listens on, so never 0. */
export function parseServerPort(value: string): number {
  return portFrom(1, value);
}

/** One wording for the server's and the client's port, whose ranges differ only by 0. */
function portFrom(lowest: 0 | 1, value: string): number {
  const number = Number(value);
  if (!/^[0-9]+$/.test(value.trim()) || number < lowest || number > 65_535) {
    const zero = lowest === 0 ? ' (0 picks a free one)' : ' (the port the server listens on)';
    throw new InvalidArgumentError(`must be a port number from ${lowest} to 65535${zero}`);
  }
  return number;
}

/** Seconds, fractions allowed (tests use short timeouts); returned in milliseconds. */
export function parseSeconds(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new InvalidArgumentError('must be a positive number of seconds');
  }
  return Math.round(number * 1000);
}
