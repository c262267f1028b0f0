/**
 * Ending processes and waiting for things, the same way wherever we start processes: the tests,
 * the benchmark and the demo. A kill never throws for a process already gone, a stop always
 * escalates to SIGKILL, and a wait always ends with an error that says what it waited for.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * The real `setTimeout`, taken when this module loads: a test may fake the global timers
 * (sinon), and a wait must still poll in real time.
 */
const { setTimeout: realSetTimeout, clearTimeout: realClearTimeout } = globalThis;

/** Sends `signal` (SIGKILL unless told otherwise) to `pid`; a process already gone is fine. */
export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone, which is what we want.
  }
}

/** Whether a process with this pid runs (one we may signal). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, then SIGKILL if it still runs after `graceMs`; resolves with its exit code once it has exited. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<number | null> {
  if (hasExited(child)) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = realSetTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  realClearTimeout(timer);
  return child.exitCode;
}

/** Polls `condition` every `pollMs` until it holds; rejects naming `what` once `timeoutMs` has passed. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
  pollMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => realSetTimeout(resolve, pollMs));
  }
}
