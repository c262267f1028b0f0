/**
 * The servers under test, each started as its own process tree on a free loopback port:
 * clusterchat itself, the Socket.IO cluster reference and the single-process `net` floor.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnWithFileLimit, stopProcessTree } from './child-processes.js';
import { REFERENCE_BUILD_DIR } from './reference-build.js';
import type { Wire } from './load-messages.js';

export const TARGET_NAMES = [
  'clusterchat',
  'clusterchat-ws',
  'clusterchat-2h',
  'clusterchat-2h-r3',
  'socketio',
  'net',
  'net-batch',
] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** What `--targets` compares unless told: all but `net-batch`, a variant of the floor measured on demand. */
export const DEFAULT_TARGETS: readonly TargetName[] = TARGET_NAMES.filter((name) => name !== 'net-batch');

export interface TargetSpec {
  name: TargetName;
  wire: Wire;
  /** False for the single-process floor: it is measured once, whatever the worker count. */
  clustered: boolean;
  /** Script and arguments after `node [nodeArgs]` (the references as built by reference-build.ts). */
  command(workers: number): string[];
  /** False for the multi-host targets: the idle mode's thousands of connections are one host's matter. */
  idle: boolean;
  /** The start-up line that names the address the clients connect to (`LISTENING` when absent). */
  listening?: RegExp;
}

const fromRepo = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const REPO_ROOT = fromRepo('');

/** clusterchat's limits lifted: the benchmark's senders are meant to flood, all from 127.0.0.1. */
export const UNLIMITED_ARGS: readonly string[] = [
  ...['--rate-limit', '1000000', '--rate-burst', '1000000', '--max-clients', '20000'],
  ...['--max-clients-per-ip', '20000', '--connect-rate', '1000000', '--connect-burst', '1000000'],
  ...['--ip-rate-limit', '1000000', '--ip-rate-burst', '1000000'],
];

/** Two hosts sharing the chat through NATS (`multihost-servers.ts`, run under tsx: it only starts them). */
const multiHost = (name: TargetName, natsNodes: number): TargetSpec => ({
  name,
  wire: 'chat',
  clustered: true,
  idle: false,
  command: (workers) => [
    '--import=tsx',
    fromRepo('bench/multihost-servers.ts'),
    ...['--workers', String(workers), '--nats-nodes', String(natsNodes)],
  ],
});

const clusterchatCommand = (workers: number): string[] => [
  fromRepo('dist/primary.js'),
  ...['--workers', String(workers), '--port', '0', '--no-persist', '--log-level', 'warn'],
  ...UNLIMITED_ARGS,
];

export const TARGETS: Record<TargetName, TargetSpec> = {
  clusterchat: {
    name: 'clusterchat',
    wire: 'chat',
    clustered: true,
    idle: true,
    command: clusterchatCommand,
  },
  // The same server and workload, the clients on its HTTP port: chat/1 over WebSocket (GET /ws).
  'clusterchat-ws': {
    name: 'clusterchat-ws',
    wire: 'chat-ws',
    clustered: true,
    idle: true,
    command: clusterchatCommand,
    listening: /web client on http:\/\/([\d.]+):(\d+)\/()\n/,
  },
  'clusterchat-2h': multiHost('clusterchat-2h', 1),
  'clusterchat-2h-r3': multiHost('clusterchat-2h-r3', 3),
  socketio: {
    name: 'socketio',
    wire: 'socketio',
    clustered: true,
    idle: true,
    command: (workers) => [`${REFERENCE_BUILD_DIR}socketio-server.js`, '--workers', String(workers)],
  },
  net: {
    name: 'net',
    wire: 'chat',
    clustered: false,
    idle: true,
    command: () => [`${REFERENCE_BUILD_DIR}net-floor-server.js`],
  },
  'net-batch': {
    name: 'net-batch',
    wire: 'chat',
    clustered: false,
    idle: true,
    command: () => [`${REFERENCE_BUILD_DIR}net-floor-server.js`, '--batch'],
  },
};

/** The whole line: a multi-host target names every host's port after it (`hosts on ports a,b`). */
const LISTENING = /listening on ([\d.]+):(\d+)([^\n]*)\n/;
const HOST_PORTS = /hosts on ports ([\d,]+)/;
const START_TIMEOUT_MS = 30_000;
/** How much of the server's stderr is kept to explain a failure. */
const STDERR_TAIL_CHARS = 4_000;

export interface RunningServer {
  readonly target: TargetSpec;
  readonly workers: number;
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  /** Every port clients may use (several hosts of one chat); `[port]` for one server. */
  readonly ports: readonly number[];
  /** The last few KB the server wrote to stderr. */
  stderrTail(): string;
  stop(): Promise<void>;
}

/** Starts `target` with `workers` workers; `nodeArgs` go to node first (e.g. `--cpu-prof`). */
export async function startServer(target: TargetSpec, workers: number, nodeArgs: string[]): Promise<RunningServer> {
  const child = spawnWithFileLimit([process.execPath, ...nodeArgs, ...target.command(workers)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
  });
  const stderrTail = () => stderr;
  try {
    const { host, port, ports } = await waitForListening(child, target.listening ?? LISTENING);
    const pid = child.pid;
    if (pid === undefined) throw new Error('it has no pid');
    return { target, workers, pid, host, port, ports, stderrTail, stop: () => stopProcessTree(child, 5_000) };
  } catch (error) {
    await stopProcessTree(child, 1_000);
    throw new Error(`${target.name} (${workers} workers) did not start: ${String(error)}\n${stderrTail()}`, {
      cause: error,
    });
  }
}

function waitForListening(child: ChildProcess, line: RegExp): Promise<{ host: string; port: number; ports: number[] }> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let listening = false;
    const timer = setTimeout(() => {
      reject(new Error(`no ${String(line)} line within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.stdout?.setEncoding('utf8');
    // Read to the end even once listening, so a chatty server never blocks on a full pipe.
    child.stdout?.on('data', (chunk: string) => {
      if (listening) return;
      stdout += chunk;
      const match = line.exec(stdout);
      if (match === null) return;
      listening = true;
      clearTimeout(timer);
      const [, host = '', port, rest = ''] = match;
      const ports = HOST_PORTS.exec(rest)?.[1]?.split(',').map(Number) ?? [Number(port)];
      resolve({ host, port: Number(port), ports });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited (${signal ?? code})`));
    });
  });
}
