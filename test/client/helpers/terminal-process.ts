/**
 * The console client (`dist/client.js`), or another of our programs, on a real pseudo-terminal,
 * as a user runs it: `script` (util-linux, in every Debian) gives it one, and passes what the
 * test types as keystrokes (Ctrl-C included: the terminal makes it a SIGINT). The test reads the
 * screen as text, escape sequences removed. The test's teardown ends the process group if it is
 * still running.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import type { ExecutionContext } from 'ava';
import { CLIENT_PATH } from './cli-process.js';
import { killQuietly } from '../../../src/processes.js';

export class TerminalProcess {
  readonly exited: Promise<number | null>;
  ended = false;
  #raw = '';
  #wake: (() => void) | undefined;
  readonly #stdin: Writable;

  constructor(child: ChildProcessByStdio<Writable, Readable, null>) {
    this.#stdin = child.stdin;
    this.exited = once(child, 'exit').then(() => child.exitCode);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.#raw += chunk;
      this.#wake?.();
    });
    child.on('exit', () => {
      this.ended = true;
      this.#wake?.();
    });
    child.stdin.on('error', () => {});
  }

  /** Everything shown so far, as plain text (no escape sequences, no CR). */
  get text(): string {
    return stripVTControlCharacters(this.#raw).replaceAll('\r', '');
  }

  /** Keystrokes; `\r` is Enter. */
  type(keys: string): void {
    this.#stdin.write(keys);
  }

  /** Resolves once the screen text matches `pattern`; rejects if the client exits first. */
  async shows(pattern: RegExp): Promise<string> {
    for (;;) {
      const match = pattern.exec(this.text);
      if (match !== null) return match[0];
      if (this.ended) throw new Error(`the client exited before showing ${pattern}; screen:\n${this.text}`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}

export function terminalAvailable(): boolean {
  return spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Starts `program` (the client by default) on a 120×40 pseudo-terminal with `args`; colors off. */
export function runOnTerminal(t: ExecutionContext, args: string[], program = CLIENT_PATH): TerminalProcess {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  // `exec`: a Ctrl-C that arrives while the terminal is cooked is a SIGINT for the whole foreground
  // group, and a shell left waiting there (dash, which `script` runs where SHELL is unset, as in CI)
  // dies of it with 130 however the program handles it.
  const command = ['stty cols 120 rows 40 && exec', ...[process.execPath, program, ...args].map(quote)].join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'ignore'],
    env: { ...process.env, SHELL: '/bin/sh', NO_COLOR: '1' },
    detached: true,
  });
  const terminal = new TerminalProcess(child);
  t.teardown(() => {
    // Its process group: the shell `script` runs and the client under it.
    if (!terminal.ended && child.pid !== undefined) killQuietly(-child.pid);
  });
  return terminal;
}
