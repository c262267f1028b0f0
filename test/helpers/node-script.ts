/**
 * A built script of ours (`dist/…`) run with node to its end, as an npm script runs it, with what
 * it prints collected. The teardown ends it if the test gives up on it first.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { ExecutionContext } from 'ava';
import { hasExited } from '../../src/processes.js';

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they came, interleaved. */
  output: string;
}

export async function runNodeScript(
  t: ExecutionContext,
  script: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; teardownSignal?: NodeJS.Signals } = {},
): Promise<ScriptRun> {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  t.teardown(() => {
    if (!hasExited(child)) child.kill(options.teardownSignal ?? 'SIGKILL');
  });
  const run: ScriptRun = { code: null, stdout: '', stderr: '', output: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    run.stdout += chunk;
    run.output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    run.stderr += chunk;
    run.output += chunk;
  });
  [run.code] = (await once(child, 'exit')) as [number | null];
  return run;
}
