/**
 * Every process the harness starts is registered here, so that it ends with the harness: on a
 * normal exit, on an error and on Ctrl-C. Process trees (a server primary and its workers) get
 * SIGTERM first, then SIGKILL for every pid of the tree that is still there after a grace period.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { hasExited, killQuietly, stopChild } from '../src/processes.js';
import { processTree } from './proc-stats.js';

const running = new Set<ChildProcess>();

/**
 * Spawns `command` through bash with the open-files limit raised to the hard limit first (the
 * idle mode holds 10 000 connections), then exec'd so the pid is the command's own.
 */
export function spawnWithFileLimit(command: string[], options: SpawnOptions): ChildProcess {
  const raiseLimit = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';
  const child = spawn('bash', ['-c', raiseLimit, 'bash', ...command], options);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** SIGTERM to the root, SIGKILL after `graceMs`; then SIGKILL to whatever of its tree (as it was) still lives. */
export async function stopProcessTree(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.pid === undefined || hasExited(child)) return;
  const tree = processTree(child.pid);
  await stopChild(child, graceMs);
  for (const pid of tree) killQuietly(pid);
}

/** Last resort on the way out: synchronous, so it also works from an 'exit' handler. */
function killAllNow(): void {
  for (const child of running) {
    if (child.pid === undefined || hasExited(child)) continue;
    for (const pid of processTree(child.pid)) killQuietly(pid);
  }
}

/** Installs the handlers that end every registered child with the harness. */
export function endChildrenOnExit(): void {
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the benchmark`);
      void Promise.all([...running].map((child) => stopProcessTree(child, 2_000))).finally(() => process.exit(130));
    });
  }
}
