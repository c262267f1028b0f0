/**
 * `value`, or a thrown error (a failed test) when it is missing. For the elements a test has
 * already waited for or created, where a missing one means the test itself is wrong.
 */
export function defined<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`expected ${what}, found ${String(value)}`);
  return value;
}
