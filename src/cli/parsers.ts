/** Option parsers for commander: they turn text into values or say which value is wrong. */
import { InvalidArgumentError } from 'commander';

export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!/^[0-9]+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < 1) {
    throw new InvalidArgumentError('must be a positive whole number');
  }
  return number;
}

export function parsePort(value: string): number {
  const number = Number(value);
  if (!/^[0-9]+$/.test(value.trim()) || number > 65_535) {
    throw new InvalidArgumentError('must be a port number from 0 to 65535');
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
