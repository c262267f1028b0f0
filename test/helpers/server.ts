/**
 * Starts a real `dist/primary.js` on a free port for a test, and ends it when the test ends,
 * whether it passed or not.
 */
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { killQuietly, stopChild } from '../../src/processes.js';

export const PRIMARY_PATH = fileURLToPath(new URL('../../dist/primary.js', import.meta.url));

export interface ServerOptions {
  workers?: number;
  /** Extra command-line arguments, e.g. `['--admin-token', 'secret']`. */
  args?: string[];
  /** Persistence is off unless the test names a data dir. */
  dataDir?: string;
  /** The port to listen on; a free one (0) unless given. */
  port?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Lifts the per-address limits, for tests that drive many clients from 127.0.0.1 as if each were
 * its own host (load, storms): named one by one, as a user would lift them.
 */
export const NO_ADDRESS_LIMITS = [
  ...['--max-clients-per-ip', '100000', '--connect-rate', '100000', '--connect-burst', '100000'],
  ...['--ip-rate-limit', '100000', '--ip-rate-burst', '100000'],
];

const WORKER_UP = /worker (\d+) listening \(pid (\d+)\)/;
const LISTENING = /listening on (\S+):(\d+) with (\d+) workers/;
const WEB_CLIENT = /web client on (https?:\/\/\S+:(\d+)\/)/;

export class TestServer {
  readonly process: ChildProcessByStdio<null, Readable, Readable>;
  /** The primary's pid. */
  readonly pid: number;
  host = '127.0.0.1';
  port = 0;
  /** The HTTP port (`--port 0` makes it a free one too); 0 with `--no-http`. */
  httpPort = 0;
  /** `http://host:port/`, the web client's address. */
  httpUrl = '';
  /** worker id → pid of every worker that has said it listens (dead ones too). */
  readonly workerPids = new Map<number, number>();
  stdout = '';
  stderr = '';
  #waiters: Array<{
    pattern: RegExp;
    from: number;
    resolve: (m: RegExpMatchArray) => void;
    reject: (error: Error) => void;
  }> = [];
  /** All output is in: the process has exited and its pipes are closed. */
  #closed = false;

  constructor(child: ChildProcessByStdio<null, Readable, Readable>) {
    if (child.pid === undefined) throw new Error('the primary did not start');
    this.process = child;
    this.pid = child.pid;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.stdout += chunk;
      this.#check();
    });
    child.stderr.on('data', (chunk: string) => {
      this.stderr += chunk;
      for (const match of chunk.matchAll(new RegExp(WORKER_UP, 'g'))) {
        this.workerPids.set(Number(match[1]), Number(match[2]));
      }
      this.#check();
    });
    // One listener for every waiter: one per waitFor() would pile up on a long test's process.
    child.once('close', () => {
      this.#closed = true;
      this.#check();
    });
  }

  get output(): string {
    return this.stdout + this.stderr;
  }

  /**
   * Resolves with the first match of `pattern` in stdout+stderr written after `from` (an offset
   * into `output`; 0 by default). Rejects if the process ends without writing it.
   */
  waitFor(pattern: RegExp, from = 0): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      this.#waiters.push({ pattern, from, resolve, reject });
      this.#check();
    });
  }

  pidOf(workerId: number): number {
    const pid = this.workerPids.get(workerId);
    if (pid === undefined) throw new Error(`no pid known for worker ${workerId}`);
    return pid;
  }

  /** SIGTERM, then SIGKILL if it is still alive after `graceMs`; resolves with the exit code. */
  stop(graceMs = 10_000): Promise<number | null> {
    return stopChild(this.process, graceMs);
  }

  #check(): void {
    const output = this.output;
    this.#waiters = this.#waiters.filter((waiter) => {
      const match = output.slice(waiter.from).match(waiter.pattern);
      if (match !== null) waiter.resolve(match);
      else if (this.#closed) waiter.reject(new Error(`server exited before ${waiter.pattern}; output:\n${output}`));
      else return true;
      return false;
    });
  }
}

/** Whoever ends what a helper starts: an ava test context, or a `SharedTeardown` for hooks. */
export interface Owner {
  teardown(action: () => unknown): void;
}

/** For `test.before` hooks, where ava allows no teardown: run `cleanup()` in `test.after.always`. */
export class SharedTeardown implements Owner {
  readonly #actions: Array<() => unknown> = [];
  teardown(action: () => unknown): void {
    this.#actions.push(action);
  }
  async cleanup(): Promise<void> {
    for (const action of this.#actions.reverse()) await action();
  }
}

/** Starts a primary and waits until it listens. The owner's teardown ends it and its workers. */
export async function startServer(t: Owner, options: ServerOptions = {}): Promise<TestServer> {
  const server = launchServer(t, options);
  const match = await server.waitFor(LISTENING);
  const [, host = '', port] = match;
  server.host = host;
  server.port = Number(port);
  if (!(options.args ?? []).includes('--no-http')) {
    const [, url = '', httpPort] = await server.waitFor(WEB_CLIENT);
    server.httpUrl = url;
    server.httpPort = Number(httpPort);
  }
  return server;
}

/** Starts a primary without waiting for anything: for tests of its start-up itself. */
export function launchServer(t: Owner, options: ServerOptions = {}): TestServer {
  const args = [
    PRIMARY_PATH,
    '--workers',
    String(options.workers ?? 2),
    '--port',
    String(options.port ?? 0),
    '--log-level',
    'info',
  ];
  args.push(...(options.dataDir === undefined ? ['--no-persist'] : ['--data-dir', options.dataDir]));
  args.push(...(options.args ?? []));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = new TestServer(child);
  t.teardown(async () => {
    await server.stop(2_000);
    for (const pid of server.workerPids.values()) killQuietly(pid);
  });
  return server;
}

/** How a primary that refused to start ended. */
export interface FailedStart {
  code: number | undefined;
  stdout: string;
  stderr: string;
}

/**
 * Runs a primary that is expected to refuse to start (on a free port, no persistence); resolves
 * with its exit code and output. `CHAT_ADMIN_TOKEN` is not inherited unless `env` sets it.
 */
export async function failedStart(args: string[], env: NodeJS.ProcessEnv = {}): Promise<FailedStart> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [PRIMARY_PATH, '--port', '0', '--no-persist', ...args],
      { env: { ...process.env, CHAT_ADMIN_TOKEN: undefined, ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (failure) {
    return failure as FailedStart;
  }
}
