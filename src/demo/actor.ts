/**
 * One process the demo started (the server or a client): its output as lines, typed input, and
 * waiting for a line with a deadline. Every line it prints goes to the transcript as it arrives.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { DemoFailure } from './demo-failure.js';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ActorOptions {
  name: string;
  child: ChildProcess;
  /** Called with every line the process prints (stdout and stderr alike). */
  onLine: (actor: Actor, line: string) => void;
  /** Called with every line typed into the process. */
  onInput: (actor: Actor, line: string) => void;
}

interface Waiter {
  pattern: RegExp;
  from: number;
  resolve: (match: RegExpMatchArray) => void;
}

export class Actor {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything printed so far, one entry per line. */
  readonly lines: string[] = [];
  /** Settles once the process has exited and its output is read to the end. */
  readonly ended: Promise<ExitStatus>;
  readonly #onLine: ActorOptions['onLine'];
  readonly #onInput: ActorOptions['onInput'];
  #waiters: Waiter[] = [];
  #done = false;

  constructor(options: ActorOptions) {
    this.name = options.name;
    this.child = options.child;
    this.#onLine = options.onLine;
    this.#onInput = options.onInput;
    this.ended = once(this.child, 'close').then(() => {
      this.#done = true;
      return { code: this.child.exitCode, signal: this.child.signalCode };
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream !== null) this.#readLines(stream);
    }
    // A client killed while we type must not take the demo down with an EPIPE.
    this.child.stdin?.on('error', () => {});
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Where the output stands now: pass it as `from` to wait only for what comes after. */
  mark(): number {
    return this.lines.length;
  }

  /** Types a line into the process's stdin. */
  type(line: string): void {
    this.#onInput(this, line);
    this.child.stdin?.write(`${line}\n`);
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** The first line at or after `from` that matches, if any. */
  find(pattern: RegExp, from = 0): RegExpMatchArray | undefined {
    for (const line of this.lines.slice(from)) {
      const match = line.match(pattern);
      if (match !== null) return match;
    }
    return undefined;
  }

  /** Index of the first line at or after `from` that matches; -1 if none. */
  indexOf(pattern: RegExp, from = 0): number {
    return this.lines.findIndex((line, i) => i >= from && pattern.test(line));
  }

  /** Resolves with the first matching line printed at or after `from`; fails after `timeoutMs` or when the process ends first. */
  async waitFor(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
    const found = this.find(pattern, from);
    if (found !== undefined) return found;
    if (this.#done) throw this.#failure(pattern, 'ended', timeoutMs, from);
    let timer: NodeJS.Timeout | undefined;
    let waiter: Waiter | undefined;
    const matched = new Promise<RegExpMatchArray>((resolve) => {
      waiter = { pattern, from, resolve };
      this.#waiters.push(waiter);
    });
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(this.#failure(pattern, 'timeout', timeoutMs, from));
      }, timeoutMs);
    });
    const endedFirst = this.ended.then(() => {
      throw this.#failure(pattern, 'ended', timeoutMs, from);
    });
    try {
      return await Promise.race([matched, timedOut, endedFirst]);
    } finally {
      clearTimeout(timer);
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
      endedFirst.catch(() => {});
    }
  }

  #readLines(stream: NodeJS.ReadableStream): void {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) this.#add(line.replace(/\r$/, ''));
    });
    stream.on('end', () => {
      if (rest !== '') this.#add(rest);
      rest = '';
    });
  }

  #add(line: string): void {
    this.lines.push(line);
    this.#onLine(this, line);
    const index = this.lines.length - 1;
    this.#waiters = this.#waiters.filter((waiter) => {
      if (index < waiter.from) return true;
      const match = line.match(waiter.pattern);
      if (match === null) return true;
      waiter.resolve(match);
      return false;
    });
  }

  #failure(pattern: RegExp, why: 'timeout' | 'ended', timeoutMs: number, from: number): DemoFailure {
    const what = `[${this.name}] to print a line matching ${pattern}`;
    const reason = why === 'timeout' ? `nothing matched within ${timeoutMs / 1000} s` : 'the process ended first';
    const recent = this.lines.slice(Math.max(from, this.lines.length - 8));
    return new DemoFailure(
      `expected ${what}; ${reason}`,
      recent.map((line) => `[${this.name}] ${line}`),
    );
  }
}
