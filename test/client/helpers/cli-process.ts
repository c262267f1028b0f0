/**
 * The console client (`dist/client.js`) as a child process with piped stdio, as scripts use it.
 * The test's teardown kills it if it is still running.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';

export const CLIENT_PATH = fileURLToPath(new URL('../../../dist/client.js', import.meta.url));

export class CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  #wake: (() => void) | undefined;

  constructor(child: ChildProcessWithoutNullStreams) {
    this.child = child;
    // 'close', not 'exit': the process may exit before its last stderr bytes are read.
    this.exited = once(child, 'close').then(() => child.exitCode);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.stdout += chunk;
      this.#wake?.();
    });
    child.stderr.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    child.on('exit', () => this.#wake?.());
    child.stdin.on('error', () => {});
  }

  get lines(): string[] {
    return this.stdout.split('\n').filter((line) => line !== '');
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  endInput(): void {
    this.child.stdin.end();
  }

  /** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
  async line(pattern: RegExp): Promise<string> {
    for (;;) {
      const found = this.lines.find((line) => pattern.test(line));
      if (found !== undefined) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`client exited before printing ${pattern}; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}

export function runCli(t: ExecutionContext, args: string[]): CliProcess {
  const child = spawn(process.execPath, [CLIENT_PATH, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '' },
  });
  const cli = new CliProcess(child);
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return cli;
}
