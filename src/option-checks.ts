/**
 * Checks of the options a class is constructed with, made where they are used (as undici's
 * Client and nats.js's parseOptions do): a wrong value fails at once, with an error that names
 * the option, instead of turning into a `% 0`, a NaN or a timer that fires at once later on.
 */

/** A wrong option value; `option` is its name as the caller spelled it. */
export class InvalidOptionError extends TypeError {
  readonly option: string;

  constructor(option: string, message: string) {
    super(`${option} ${message}`);
    this.name = 'InvalidOptionError';
    this.option = option;
  }
}

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** A whole number from 1 up: counts, capacities, sizes in bytes. */
export function checkPositiveInteger(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionError(option, `must be a positive whole number, not ${shown(value)}`);
  }
  return value;
}

/** A finite number above 0: rates, durations in milliseconds. */
export function checkPositiveNumber(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(option, `must be a positive number, not ${shown(value)}`);
  }
  return value;
}

/** A string from a fixed set. */
export function checkOneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidOptionError(option, `must be one of ${allowed.join(', ')}, not ${shown(value)}`);
  }
  return value as T;
}

/** A plain object, whose fields are checked next. */
export function checkObject(option: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(option, `must be an object, not ${shown(value)}`);
  }
  return value as Record<string, unknown>;
}
